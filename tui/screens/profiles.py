"""The profiles view: every configured and demo profile; `enter` opens one, `a`/`e`/`d` add,
edit and delete one in the config file, `t` tests its connection."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, Field, create_model
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from tui.api.forms import FormSpec, ui
from tui.config import PROFILE_MODELS, ConfigError, ProfileBase
from tui.config_file import delete_profile, save_profile
from tui.connection_check import ConnectionReport, check_connection
from tui.profile_cli import endpoint, mode
from tui.screens.base import FleetScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.form_menu import FormMenu
from tui.secrets import env_var_name
from tui.widgets.form import FieldSpec, FormScreen, ModelForm, fields_from_model
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain

#: the form's order: these, the platform's own fields, the secret, then every profile's settings
_FIRST = ("name", "base_url")
_SECRETS = ("secret", "secret_command")
_SECRET_HELP = (
    "Stored in the OS keyring, never in the config file; blank keeps the one there is. "
    "Without a keyring: leave it blank and export FLEET_<PROFILE>_<FIELD>, or set Secret command."
)


def form_model(platform: str) -> type[ProfileBase]:
    """The platform's profile model plus a secret field for the form (the secret goes to the
    keyring: the profile model, and so the file, never has one)."""
    model = PROFILE_MODELS[platform]
    secret = Field(
        default=None, title=f"Secret ({model.SECRET_FIELDS[0]})", description=_SECRET_HELP,
        json_schema_extra=ui(secret=True),
    )  # fmt: skip
    return create_model(  # type: ignore[no-any-return, call-overload]
        f"{model.__name__}Form", __base__=model, secret=(str | None, secret)
    )


def profile_forms(values: ProfileBase | None = None) -> list[FormSpec]:
    """One form per platform (or the edited profile's), from its profile model."""
    platforms = [values.platform] if values is not None else list(PROFILE_MODELS)
    current = values.model_dump(exclude_none=True) if values is not None else {}
    return [
        FormSpec(
            id=platform,
            title=PROFILE_MODELS[platform].PLATFORM_LABEL,
            model=form_model(platform),
            key=str(index + 1),
            submit="Save",
            values=current,
        )
        for index, platform in enumerate(platforms)
    ]


class ProfileForm(ModelForm[ProfileBase]):
    """A profile's form: the platform's model, minus what the user does not type (the platform,
    `simulator`; an edited profile's name), auth modes as choices; saving writes the config file
    and puts the secret in the keyring."""

    def __init__(self, spec: FormSpec, screen: ProfilesScreen, *, editing: str | None) -> None:
        verb = f"Edit profile {editing}" if editing else f"New {spec.title} profile"
        super().__init__(spec, self._save, title=verb, mutates=False)
        self._screen = screen
        self._editing = editing

    def fields(self) -> list[FieldSpec]:
        skip = {"platform", "simulator"} | ({"name"} if self._editing else set())
        specs = {
            spec.name: spec
            for spec in fields_from_model(self.spec.model, (), self.spec.values)
            if spec.name not in skip
        }
        for name, spec in specs.items():
            annotation = self.spec.model.model_fields[name].annotation
            if get_origin(annotation) is Literal and spec.kind == "text":
                options = tuple((str(v), str(v)) for v in get_args(annotation))
                specs[name] = FieldSpec(
                    name, spec.label, "choice", value=spec.value, help=spec.help, options=options
                )
        own = [n for n in specs if n not in ProfileBase.model_fields and n not in _SECRETS]
        order = [*_FIRST, *own, *_SECRETS, *ProfileBase.model_fields]
        return [specs[n] for n in dict.fromkeys(order) if n in specs]

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        out = {**super().to_model_input(values), "platform": self.spec.id}
        if self._editing:
            out["name"] = self._editing
        return out

    async def _save(self, values: BaseModel) -> ProfileBase:
        data = values.model_dump(exclude={"secret"}, exclude_none=True)
        profile = PROFILE_MODELS[self.spec.id].model_validate(data)
        secret = getattr(values, "secret", None)
        if secret:
            field = profile.secret_field
            stored = await asyncio.to_thread(
                self.fleet.resolver.store_secret, profile, field, secret
            )
            if not stored:
                raise _NotSaved(
                    f"No keyring works here, so the secret was not saved (nor the profile). "
                    f"Leave Secret blank and export {env_var_name(profile.name, field)}, or "
                    "set Secret command to a command that prints it."
                )
        try:
            await asyncio.to_thread(save_profile, self._screen.config_path, profile)
        except (ConfigError, OSError) as exc:
            raise _NotSaved(f"Not saved: {exc}") from None
        return profile

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, _NotSaved):  # the user's to fix, not a fault of fleet's
            self.set_summary(str(exc))
            self.app.bell()
        else:
            super()._refused(exc)


class _NotSaved(Exception):
    """The profile could not be saved for a reason the form explains (no keyring, a bad file)."""


class ProfilesScreen(FleetScreen[None]):
    """Lists profiles with their platform and endpoint; the open one is marked with ●."""

    VIEW = "profiles"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_profile", "Open profile", id="profiles.open"),
        Binding("a", "add_profile", "Add", id="profiles.add"),
        Binding("e", "edit_profile", "Edit", id="profiles.edit"),
        Binding("d", "delete_profile", "Delete", id="profiles.delete"),
        Binding("t", "test_profile", "Test connection", id="profiles.test"),
    ]

    DEFAULT_CSS = """
    ProfilesScreen #profiles-status { height: auto; padding: 0 1; color: $text-muted; }
    ProfilesScreen #profiles-test { height: auto; padding: 0 1; border-top: solid $primary; }
    ProfilesScreen #profiles-test.-failed { border-top: solid $error; }
    ProfilesScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield DataTable(id="profiles-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="profiles-test")
        yield Static(id="profiles-status")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns(" ", "Profile", "Platform", "Endpoint", "Mode")
        self.query_one("#profiles-test").display = False
        self.refresh_rows()

    @property
    def config_path(self) -> Path:
        return self.fleet.config.path

    def on_session(self) -> None:
        self.refresh_rows()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self, cursor: str | None = None) -> None:
        """The rows again; the cursor on `cursor`, else where it was, else on the open profile."""
        app = self.fleet
        table = self.query_one(DataTable)
        current = self._chosen()
        cursor = cursor or (current.name if current is not None else None)
        table.clear()
        names = sorted(app.config.profiles)
        for name in names:
            profile = app.config.profiles[name]
            table.add_row(
                "●" if name == app.profile_name else " ",
                plain(name),
                plain(profile.PLATFORM_LABEL or profile.platform),
                plain(endpoint(profile)),  # an IPv6 URL's [::1] is not markup
                plain(mode(profile)),
                key=name,
            )
        target = cursor if cursor in names else app.profile_name
        if target in names:
            table.move_cursor(row=names.index(target))
        if app.open_error:
            status = app.open_error
        elif app.platform is not None:
            status = (
                f"Open: {app.profile_name} ({app.platform.title}). Enter opens another profile."
            )
        else:
            status = f"Opening {app.profile_name}…"
        self.query_one("#profiles-status", Static).update(plain(status, limit=400))

    def _chosen(self) -> ProfileBase | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.fleet.config.profiles.get(key) if key is not None else None

    def action_open_profile(self) -> None:
        profile = self._chosen()
        if profile is not None:
            self.fleet.switch_profile(profile.name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_profile()

    # ------------------------------------------------------------------ add, edit, delete

    def _is_demo(self, profile: ProfileBase, verb: str) -> bool:
        if profile.simulator:
            self.notify(
                f"{profile.name} is a demo profile, served by the embedded simulator: it "
                f"cannot be {verb}. Add a profile of your own with a.",
                severity="warning",
            )
        return profile.simulator

    def action_add_profile(self) -> None:
        def make(spec: FormSpec) -> FormScreen[Any]:
            return ProfileForm(spec, self, editing=None)

        self.app.push_screen(
            FormMenu("New profile: its platform", profile_forms(), make), self._saved
        )

    def action_edit_profile(self) -> None:
        profile = self._chosen()
        if profile is None or self._is_demo(profile, "edited"):
            return
        form = ProfileForm(profile_forms(profile)[0], self, editing=profile.name)
        self.app.push_screen(form, self._saved)

    def _saved(self, profile: ProfileBase | None) -> None:
        if profile is None:
            return
        self.fleet.config.profiles[profile.name] = profile
        self.refresh_rows(cursor=profile.name)
        self.notify(f"Profile {profile.name} saved in {self.config_path}.")
        if profile.name == self.fleet.profile_name:
            self.fleet.switch_profile(profile.name)  # the open profile: reopened as edited

    def action_delete_profile(self) -> None:
        profile = self._chosen()
        if profile is None or self._is_demo(profile, "deleted"):
            return
        if profile.name == self.fleet.profile_name:
            self.notify(
                f"{profile.name} is open: open another profile before deleting it.",
                severity="warning",
            )
            return
        name = profile.name

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(name)

        self.app.push_screen(
            ConfirmScreen(
                f"Delete profile {name}?",
                f"Its [profiles.{name}] table leaves {self.config_path}; the rest of the file "
                "stays as it is. A secret in the keyring stays there.",
                yes="Delete",
            ),
            answered,
        )

    def _delete(self, name: str) -> None:
        try:
            delete_profile(self.config_path, name)
        except Exception as exc:
            self.report(exc, f"Deleting profile {name}")
            return
        self.fleet.config.profiles.pop(name, None)
        self.refresh_rows()
        self.notify(f"Profile {name} deleted.")

    # ------------------------------------------------------------------ test connection

    def action_test_profile(self) -> None:
        profile = self._chosen()
        if profile is None:
            return
        self._show_test(f"Testing {profile.name}…", failed=False)
        self.run_worker(self._test(profile), group="profile-test", exclusive=True)

    async def _test(self, profile: ProfileBase) -> None:
        async with self.busy():
            report: ConnectionReport = await check_connection(
                profile, self.fleet.resolver, self.fleet.simulator
            )
        self._show_test("\n".join(report.lines()), failed=not report.ok)

    def _show_test(self, text: str, *, failed: bool) -> None:
        box = self.query_one("#profiles-test", Static)
        box.display = True
        box.set_class(failed, "-failed")
        box.update(plain(text, multiline=True))
