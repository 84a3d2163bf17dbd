"""Connection profiles for the five platforms: one pydantic model per platform, stored in a TOML file."""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "DEFAULT_TIMEZONE",
    "DEMO_PROFILE_NAMES",
    "PLATFORMS",
    "PROFILE_MODELS",
    "SECRET_FIELD_NAMES",
    "ConfigError",
    "EnosProfile",
    "FleetConfig",
    "IotdaProfile",
    "MyThingsProfile",
    "PlatformName",
    "Profile",
    "ProfileBase",
    "TelitProfile",
    "ThingParkProfile",
    "config_path",
    "demo_profiles",
    "demo_secrets",
    "load_config",
]

PlatformName = Literal["thingpark", "mythings", "iotda", "enos", "telit"]
PLATFORMS: tuple[str, ...] = get_args(PlatformName)
DEFAULT_TIMEZONE = "Europe/Paris"

# Profile names become TOML bare keys, keyring usernames ("<name>:<field>") and env var stems,
# so they stay within the characters that are safe in all three.
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_BINDING_ID = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$")
_KEY_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file, the profile and the field."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        profile: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.profile = profile
        self.field = field
        super().__init__(message)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as 'Europe/Paris')"
        ) from None
    return value


def _is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves the machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_token(value: str, what: str) -> str:
    # Keys end up in URL paths, MQTT topics and login strings: whitespace or separators there
    # produce confusing vendor errors far from the config file, so refuse them here.
    if not value or re.search(r"[\s/|&]", value):
        raise ValueError(f"{what} must be non-empty without spaces, '/', '|' or '&'")
    return value


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------


class ProfileBase(BaseModel):
    """What every platform profile has; subclasses add the platform's account fields.

    Secrets are never fields: `SECRET_FIELDS` names every secret the platform can need and
    `secret_fields` the ones the chosen auth mode needs; `tui.secrets` resolves them from the
    keyring, the environment or `secret_command`. `secret_command` is one shell command whose
    stdout is the profile's secret: every auth mode needs exactly one secret, so one command per
    profile is enough (it receives FLEET_PROFILE and FLEET_SECRET_FIELD in its environment).
    """

    # strict: TOML has real booleans and numbers, so "yes" for a bool is a mistake, not a shorthand.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ()
    PLATFORM_LABEL: ClassVar[str] = ""
    #: the label in one word, where columns are narrow (the overview at 80 columns)
    PLATFORM_SHORT: ClassVar[str] = ""
    #: Requests per second a bulk run starts at when the profile sets no `rate_limit`. A
    #: platform whose limits are not known gets a slow start: the adaptive limiter backs off on
    #: 429 but never goes above this, so a too-high default could only be corrected by errors.
    DEFAULT_RATE_LIMIT: ClassVar[float] = 5.0

    name: str = Field(description="Profile name, the key of its [profiles.<name>] table")
    platform: PlatformName
    base_url: str = Field(
        default="",
        description="API base URL (EnOS: MQTT broker host:port); empty for the simulator until it starts",
    )
    insecure: bool = Field(default=False, description="Turn off TLS certificate verification")
    timezone: str = Field(
        default=DEFAULT_TIMEZONE, description="IANA time zone of the platform's dates"
    )
    secret_command: str | None = Field(
        default=None, description="Shell command whose standard output is the profile's secret"
    )
    readonly: bool = Field(default=False, description="Refuse every action that changes the fleet")
    ca_bundle: str | None = Field(
        default=None,
        description="PEM file of the CA certificates to verify TLS with (a corporate TLS proxy's); "
        "~ is expanded",
    )
    simulator: bool = Field(
        default=False, description="Demo profile served by the embedded simulator"
    )
    rate_limit: float | None = Field(
        default=None,
        description="Requests per second a bulk run may send (> 0); the platform's default "
        "when absent",
    )
    theme: str | None = Field(
        default=None,
        description="Theme while this profile is open (fleet-production: red); the config's "
        "theme when absent",
    )

    @property
    def effective_rate_limit(self) -> float:
        """The requests per second bulk runs of this profile start at (and never exceed)."""
        return self.rate_limit if self.rate_limit is not None else self.DEFAULT_RATE_LIMIT

    @property
    def secret_fields(self) -> tuple[str, ...]:
        """The secrets the profile's auth mode needs (a subset of SECRET_FIELDS)."""
        return self.SECRET_FIELDS

    @property
    def secret_field(self) -> str:
        """The profile's main secret, the one `secret_command` yields."""
        return self.secret_fields[0]

    @property
    def ca_bundle_path(self) -> Path | None:
        """`ca_bundle` with `~` expanded; checked when the profile is opened, not here."""
        return Path(self.ca_bundle).expanduser() if self.ca_bundle else None

    @field_validator("name")
    @classmethod
    def _name_is_safe(cls, value: str) -> str:
        if not _PROFILE_NAME.match(value):
            raise ValueError(
                "profile names use letters, digits, '-' and '_' (at most 64, starting with a letter or digit)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone_is_iana(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("rate_limit")
    @classmethod
    def _rate_is_positive(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError("rate_limit is requests per second: a number above 0")
        return value

    @field_validator("secret_command", "ca_bundle")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("theme")
    @classmethod
    def _theme_is_a_name(cls, value: str | None) -> str | None:
        # Whether the theme exists is known once the theme files are read (the app warns then).
        if value is not None and not _THEME_NAME.match(value):
            raise ValueError("a theme name, such as 'fleet-production' (letters, digits, '-', '_')")
        return value

    @model_validator(mode="after")
    def _needs_base_url(self) -> ProfileBase:
        # A simulator profile gets its URL from the running simulator, a real one cannot guess it.
        if not self.simulator:
            self._check_base_url(self.base_url)
        return self

    def _check_base_url(self, value: str) -> None:
        if not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
            raise ValueError("base_url: an http(s):// URL is required for a non-simulator profile")
        try:
            url = urlsplit(value)
            host, _ = url.hostname, url.port  # .port raises on a port that is no number
        except ValueError as exc:
            raise ValueError(f"base_url: not a valid URL ({exc})") from None
        if url.scheme.lower() == "http" and not self.insecure and not _is_loopback(host or ""):
            raise ValueError(
                f"base_url: http:// would send the profile's secret in clear to {host}; use "
                "https://, or set insecure = true to allow it"
            )


class ThingParkProfile(ProfileBase):
    """Actility ThingPark: OAuth2 client credentials of a subscriber."""

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("client_secret",)
    PLATFORM_LABEL: ClassVar[str] = "Actility ThingPark"
    PLATFORM_SHORT: ClassVar[str] = "ThingPark"
    # ThingPark's limits are not public (a leaky bucket per impact category, downlinks in their
    # own): 10 a second is a pace a subscriber account takes without complaint, and a 429 slows
    # a run down further.
    DEFAULT_RATE_LIMIT: ClassVar[float] = 10.0

    platform: Literal["thingpark"] = "thingpark"
    client_id: str = Field(description="OAuth2 client id, like sub-<subscriberId>/<name>")
    subscriber_id: str | None = Field(
        default=None, description="Subscriber id (digits); read from client_id when omitted"
    )

    @field_validator("client_id")
    @classmethod
    def _client_id_shape(cls, value: str) -> str:
        # Loose on purpose: other prefixes than "sub-" exist on some ThingPark instances.
        if not re.match(r"^[^\s/]+/\S+$", value):
            raise ValueError("client_id should look like sub-<subscriberId>/<name>")
        return value

    @field_validator("subscriber_id")
    @classmethod
    def _subscriber_digits(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise ValueError("subscriber_id is the subscriber's number (digits only)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _subscriber_from_client_id(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("subscriber_id"):
            match = re.match(r"^sub-(\d+)/", str(data.get("client_id", "")))
            if match:
                data = {**data, "subscriber_id": match.group(1)}
        return data

    @model_validator(mode="after")
    def _subscriber_known(self) -> ThingParkProfile:
        if self.subscriber_id is None:
            raise ValueError(
                "subscriber_id is required when client_id is not sub-<subscriberId>/<name>"
            )
        return self


class MyThingsProfile(ProfileBase):
    """Proximus MyThings: OAuth2 client credentials of an EnCo application, or a permanent token
    of its dashboard; `company_id` is the MyThings company things and streams are created in."""

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("client_secret", "token")
    PLATFORM_LABEL: ClassVar[str] = "Proximus MyThings"
    PLATFORM_SHORT: ClassVar[str] = "MyThings"
    # EnCo publishes no rate limit for the MyThings API (its query APIs are priced per call), and
    # one application has one token for all its clients: the cautious default pace, which a 429
    # slows further; an account that knows its quota says so with rate_limit.
    DEFAULT_RATE_LIMIT: ClassVar[float] = 5.0

    platform: Literal["mythings"] = "mythings"
    auth: Literal["client_credentials", "token"] = Field(
        default="client_credentials",
        description="OAuth2 client credentials, or a permanent token (no token request)",
    )
    client_id: str | None = Field(
        default=None, description="OAuth2 client id (consumer key) of the EnCo application"
    )
    company_id: int | None = Field(
        default=None,
        ge=0,
        lt=2**31,
        description="MyThings company id (companyId): things, streams and device addresses "
        "are created in it",
    )

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return ("client_secret",) if self.auth == "client_credentials" else ("token",)

    @field_validator("client_id")
    @classmethod
    def _client_id_given(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("client_id must not be empty")
        return value

    @model_validator(mode="after")
    def _client_id_for_credentials(self) -> MyThingsProfile:
        if self.auth == "client_credentials" and not self.client_id:
            raise ValueError("client_id is required when auth = 'client_credentials'")
        return self


class IotdaProfile(ProfileBase):
    """Huawei IoTDA v5: AK/SK signing or an IAM token, scoped to a project and region."""

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("secret_key", "token")
    PLATFORM_LABEL: ClassVar[str] = "Huawei IoTDA"
    PLATFORM_SHORT: ClassVar[str] = "IoTDA"
    # IoTDA applies flow control per account and per API, with thresholds that depend on the
    # edition (IOTDA.021101/021102 with a 429 beyond them); 10 a second stays under the lowest
    # published ones, and an account allowed more says so with rate_limit.
    DEFAULT_RATE_LIMIT: ClassVar[float] = 10.0

    platform: Literal["iotda"] = "iotda"
    project_id: str = Field(description="Project id of the region (goes in /v5/iot/{project_id})")
    region: str = Field(description="Region, like cn-north-4; base_url defaults from it")
    instance_id: str | None = Field(default=None, description="Instance-Id header (editions)")
    auth: Literal["aksk", "token"] = Field(default="aksk", description="AK/SK signing or IAM token")
    access_key: str | None = Field(default=None, description="Access key id (AK, not secret)")

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return ("secret_key",) if self.auth == "aksk" else ("token",)

    @field_validator("project_id", "instance_id")
    @classmethod
    def _ids_are_tokens(cls, value: str | None) -> str | None:
        return None if value is None else _check_token(value, "the id")

    @field_validator("region")
    @classmethod
    def _region_shape(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", value):
            raise ValueError("region is a lowercase name like cn-north-4")
        return value

    @model_validator(mode="before")
    @classmethod
    def _endpoint_from_region(cls, data: Any) -> Any:
        # The public endpoint is a function of the region; only private deployments need base_url.
        if (
            isinstance(data, Mapping)
            and not data.get("base_url")
            and not data.get("simulator")
            and data.get("region")
        ):
            data = {**data, "base_url": f"https://iotda.{data['region']}.myhuaweicloud.com"}
        return data

    @model_validator(mode="after")
    def _access_key_for_aksk(self) -> IotdaProfile:
        if self.auth == "aksk" and not self.access_key:
            raise ValueError("access_key is required when auth = 'aksk'")
        return self


class EnosProfile(ProfileBase):
    """EnOS: an MQTT gateway device; base_url is the broker as host:port (mqtts:// for TLS)."""

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("device_secret",)
    PLATFORM_LABEL: ClassVar[str] = "EnOS"
    PLATFORM_SHORT: ClassVar[str] = "EnOS"

    platform: Literal["enos"] = "enos"
    product_key: str = Field(description="Gateway product key")
    device_key: str = Field(description="Gateway device key")

    @field_validator("product_key", "device_key")
    @classmethod
    def _keys_are_tokens(cls, value: str) -> str:
        return _check_token(value, "the key")

    def _check_base_url(self, value: str) -> None:
        broker = self._split_broker(value)
        if broker is None:
            raise ValueError(
                "base_url: the MQTT broker as host:port (or mqtts://host:port for TLS)"
            )
        host, _, tls = broker
        # Without TLS, each registration's deviceSecrets would cross the network in clear.
        if not tls and not self.insecure and not _is_loopback(host):
            raise ValueError(
                f"base_url: plain MQTT would carry the gateway's login and each new "
                f"sub-device's deviceSecret in clear to {host}; use mqtts://, or set "
                "insecure = true to allow it"
            )

    @staticmethod
    def _split_broker(value: str) -> tuple[str, int, bool] | None:
        match = re.match(r"^(?:(mqtts?|ssl|tcp)://)?([^\s:/]+):(\d{1,5})/?$", value)
        if not match or not 0 < int(match.group(3)) < 65536:
            return None
        return match.group(2), int(match.group(3)), match.group(1) in ("mqtts", "ssl")

    @property
    def broker(self) -> tuple[str, int, bool]:
        """(host, port, tls) of the broker; raises ValueError while base_url is still empty."""
        parts = self._split_broker(self.base_url)
        if parts is None:
            raise ValueError(f"profile {self.name!r} has no broker address yet")
        return parts


class TelitProfile(ProfileBase):
    """Telit IoT Portal (TR50): a user login or an application token."""

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("password", "app_token")
    PLATFORM_LABEL: ClassVar[str] = "Telit IoT Portal"
    PLATFORM_SHORT: ClassVar[str] = "Telit"

    platform: Literal["telit"] = "telit"
    auth: Literal["password", "app"] = Field(
        default="password", description="User login or application token"
    )
    username: str | None = Field(default=None, description="Login name (auth = 'password')")
    app_id: str | None = Field(default=None, description="Application id (auth = 'app')")
    thing_key: str | None = Field(default=None, description="Thing key sent with an app login")

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return ("password",) if self.auth == "password" else ("app_token",)

    @model_validator(mode="after")
    def _login_matches_auth(self) -> TelitProfile:
        if self.auth == "password" and not self.username:
            raise ValueError("username is required when auth = 'password'")
        if self.auth == "app" and not self.app_id:
            raise ValueError("app_id is required when auth = 'app'")
        return self


Profile = Annotated[
    ThingParkProfile | MyThingsProfile | IotdaProfile | EnosProfile | TelitProfile,
    Field(discriminator="platform"),
]
PROFILE_MODELS: dict[str, type[ProfileBase]] = {
    "thingpark": ThingParkProfile,
    "mythings": MyThingsProfile,
    "iotda": IotdaProfile,
    "enos": EnosProfile,
    "telit": TelitProfile,
}
# Any of these as a key in any profile is refused, whatever the platform: a secret pasted into
# the wrong platform's table is still a secret sitting in a plain file.
SECRET_FIELD_NAMES: frozenset[str] = frozenset(
    name for model in PROFILE_MODELS.values() for name in model.SECRET_FIELDS
)


# ---------------------------------------------------------------------------------------------
# Demo profiles (served by the embedded simulator; every value here is public, see README)
# ---------------------------------------------------------------------------------------------

DEMO_PROFILE_NAMES: tuple[str, ...] = tuple(f"demo-{platform}" for platform in PLATFORMS)

_DEMO_FIELDS: dict[str, dict[str, Any]] = {
    "thingpark": {"client_id": "sub-199983788/fleet-demo", "subscriber_id": "199983788"},
    "mythings": {"client_id": "fleet-demo", "company_id": 987},
    "iotda": {
        "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "region": "cn-north-4",
        "instance_id": "fleet-demo-instance",
        "auth": "aksk",
        "access_key": "FLEETDEMOIOTDAAK0001",
    },
    "enos": {"product_key": "fleetGwPK", "device_key": "fleet-gw-01"},
    "telit": {"auth": "password", "username": "demo@fleet.example"},
}
# Secrets for every auth mode of the platform, so a demo profile switched to another mode still logs in.
_DEMO_SECRETS: dict[str, dict[str, str]] = {
    "thingpark": {"client_secret": "thingpark-demo-secret"},
    "mythings": {
        "client_secret": "mythings-demo-secret",
        "token": "5e3f7a1c-2b8d-4c6e-9f0a-1d2c3b4a5e6f",
    },
    "iotda": {"secret_key": "iotda-demo-secret-key", "token": "iotda-demo-iam-token"},
    "enos": {"device_secret": "enos-demo-gateway-secret"},
    "telit": {"password": "telit-demo-password", "app_token": "telit-demo-app-token"},
}


def demo_profiles() -> dict[str, ProfileBase]:
    """The built-in simulator profiles, one per platform, named demo-<platform>."""
    return {
        f"demo-{platform}": PROFILE_MODELS[platform](
            name=f"demo-{platform}", platform=platform, simulator=True, **_DEMO_FIELDS[platform]
        )
        for platform in PLATFORMS
    }


def demo_secrets(profile: ProfileBase) -> dict[str, str]:
    """The simulator's public secrets for a simulator profile; empty for any real profile."""
    if not profile.simulator:
        return {}
    return dict(_DEMO_SECRETS[profile.platform])


# ---------------------------------------------------------------------------------------------
# The whole configuration
# ---------------------------------------------------------------------------------------------

_TOP_LEVEL_KEYS = ("default_profile", "theme", "timezone", "demo_profiles", "keymap", "profiles")
# Modest on purpose: only scalar top-level settings are overridable from the environment.
_ENV_OVERRIDES = {
    "default_profile": "FLEET_DEFAULT_PROFILE",
    "theme": "FLEET_THEME",
    "timezone": "FLEET_TIMEZONE",
}


class FleetConfig(BaseModel):
    """Settings and profiles as loaded: file values, then FLEET_* environment overrides."""

    model_config = ConfigDict(extra="forbid")

    path: Path = Field(description="The config file these settings came from (may not exist yet)")
    profiles: dict[str, Profile] = Field(default_factory=dict)
    default_profile: str = Field(description="Profile opened at start-up")
    theme: str | None = Field(default=None, description="Textual theme name")
    timezone: str | None = Field(
        default=None, description="IANA time zone for displayed dates; None for the local one"
    )
    demo_profiles: bool = Field(default=True, description="Offer the demo-<platform> profiles")
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="Binding id → keys (comma-separated), as Textual's App.set_keymap takes them",
    )

    @property
    def default(self) -> ProfileBase:
        """The profile opened at start-up."""
        return self.profiles[self.default_profile]

    def get_profile(self, name: str) -> ProfileBase:
        """The named profile, or ConfigError listing the known ones."""
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(
                f"no profile named {name!r} (known: {known})", path=self.path, profile=name
            ) from None


def config_path() -> Path:
    """Where the config file lives: $FLEET_CONFIG, else config.toml in the user config dir."""
    override = os.environ.get("FLEET_CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path("fleet") / "config.toml"


def _read_toml(path: Path) -> dict[str, Any] | None:
    """The parsed file, or None when there is no file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}", path=path) from None
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start]
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{bad:02x} at offset {exc.start}); TOML files are "
            "UTF-8, save it again in that encoding",
            path=path,
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}", path=path) from None


def _validation_message(exc: ValidationError, model: type[BaseModel]) -> tuple[str | None, str]:
    """(first field, readable lines) of a pydantic error, without echoing input values."""
    lines: list[str] = []
    first_field: str | None = None
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or None
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(k for k in model.model_fields if k != "name")
            text = f"unknown field (allowed: {allowed})"
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
            # Model-level checks name their field at the start of the message ("base_url: …").
            if field is None and ":" in text.split(" ", 1)[0]:
                field, text = text.split(":", 1)[0], text.split(":", 1)[1].strip()
            elif field is None:
                field = next((f for f in model.model_fields if text.startswith(f + " ")), None)
        first_field = first_field or field
        lines.append(f"field {field!r}: {text}" if field else text)
    return first_field, "; ".join(lines)


def _parse_profile(path: Path, name: str, table: Any) -> ProfileBase:
    where = f"{path}: profile {name!r}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a [profiles.{name}] table", path=path, profile=name)
    for key in table:
        if key in SECRET_FIELD_NAMES:
            # The value is deliberately not echoed: it is a secret that is already too exposed.
            raise ConfigError(
                f"{where}, field {key!r}: secrets do not belong in the config file; remove it and "
                f"store it in the OS keyring (`keyring set fleet {name}:{key}`), in the environment "
                f"(FLEET_{_env_stem(name)}_{key.upper()}), or give the profile a secret_command",
                path=path,
                profile=name,
                field=key,
            )
    platform = table.get("platform")
    if platform not in PROFILE_MODELS:
        said = "is missing" if platform is None else f"is {platform!r}"
        raise ConfigError(
            f"{where}, field 'platform': {said}; expected one of {', '.join(PLATFORMS)}",
            path=path,
            profile=name,
            field="platform",
        )
    if "name" in table and table["name"] != name:
        raise ConfigError(
            f"{where}, field 'name': must match the table name or be left out",
            path=path,
            profile=name,
            field="name",
        )
    model = PROFILE_MODELS[platform]
    try:
        return model.model_validate({**table, "name": name})
    except ValidationError as exc:
        field, text = _validation_message(exc, model)
        sep = ", " if text.startswith("field ") else ": "
        raise ConfigError(f"{where}{sep}{text}", path=path, profile=name, field=field) from None


def _check_keys(spec: str) -> str:
    """A binding's keys as Textual names them ("ctrl+r", "f5", "question_mark" or "?", several
    joined by commas), normalised; ValueError naming the first key that is none."""
    from textual.keys import Keys, _character_to_key

    named = {key.value for key in Keys if "+" not in key.value}
    keys = [key.strip() for key in spec.split(",")]
    if not spec.strip() or not all(keys):
        raise ValueError(f"{spec!r}: a key is empty (keys are joined by commas: 'ctrl+r,f5')")
    for key in keys:
        *modifiers, name = key.split("+") if key != "+" else [key]
        unknown = [m for m in modifiers if m not in _KEY_MODIFIERS]
        if unknown:
            raise ValueError(
                f"{key!r}: unknown modifier {unknown[0]!r} (use {', '.join(_KEY_MODIFIERS)})"
            )
        if not name:
            raise ValueError(f"{key!r}: no key after the modifier")
        if len(name) == 1 and name.isprintable() and not name.isspace():
            continue
        if name in named:
            continue
        try:
            if len(unicodedata.lookup(name.replace("_", " "))) == 1:
                continue
        except KeyError:
            pass
        raise ValueError(
            f"{key!r}: unknown key {name!r} (a character, or a name such as enter, escape, "
            "space, f5, pageup, question_mark)"
        )
    return ",".join(_character_to_key(k) if len(k) == 1 else k for k in keys)


def _parse_keymap(path: Path, table: Any) -> dict[str, str]:
    """The [keymap] table: binding id → keys; a key that is none is an error naming it.
    Whether an id is one of fleet's bindings is checked by the app (it knows the screens)."""
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: 'keymap' must be a table: [keymap] with lines such as "
            '"list.reload" = "ctrl+r"',
            path=path,
            field="keymap",
        )
    keymap: dict[str, str] = {}
    for binding_id, spec in table.items():
        where = f"{path}: keymap {binding_id!r}"
        if not _BINDING_ID.match(binding_id):
            raise ConfigError(
                f"{where}: not a binding id (ids look like 'list.reload'; ? shows the keys)",
                path=path,
                field=f"keymap.{binding_id}",
            )
        if not isinstance(spec, str):
            raise ConfigError(
                f'{where}: keys are a string, such as "ctrl+r" or "ctrl+r,f5"',
                path=path,
                field=f"keymap.{binding_id}",
            )
        try:
            keymap[binding_id] = _check_keys(spec)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}", path=path, field=f"keymap.{binding_id}") from None
    return keymap


def _env_stem(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def load_config(path: Path | None = None) -> FleetConfig:
    """Profiles and settings from the TOML file (demo profiles when there is none) plus FLEET_* env."""
    path = path if path is not None else config_path()
    data = _read_toml(path) or {}

    unknown = sorted(set(data) - set(_TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (allowed: {', '.join(_TOP_LEVEL_KEYS)})",
            path=path,
            field=unknown[0],
        )
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'profiles' must be tables [profiles.<name>]", path=path)

    settings: dict[str, Any] = {
        k: data[k] for k in ("default_profile", "theme", "timezone") if k in data
    }
    sources = {k: str(path) for k in settings}
    for key, var in _ENV_OVERRIDES.items():
        if os.environ.get(var):
            settings[key] = os.environ[var]
            sources[key] = f"environment variable {var}"
    for key, value in settings.items():
        if not isinstance(value, str):
            raise ConfigError(f"{sources[key]}: {key!r} must be a string", path=path, field=key)
    if "timezone" in settings:
        try:
            _check_timezone(settings["timezone"])
        except ValueError as exc:
            raise ConfigError(
                f"{sources['timezone']}: {exc}", path=path, field="timezone"
            ) from None

    use_demo = data.get("demo_profiles", True)
    if not isinstance(use_demo, bool):
        raise ConfigError(
            f"{path}: 'demo_profiles' must be true or false", path=path, field="demo_profiles"
        )

    keymap = _parse_keymap(path, data.get("keymap", {}))
    own = {name: _parse_profile(path, name, table) for name, table in tables.items()}
    # Demo profiles come first so that the menu lists them together; a file profile of the same
    # name replaces its demo (a user can, say, pin demo-enos to a simulator on another host).
    profiles: dict[str, ProfileBase] = demo_profiles() if use_demo else {}
    profiles.update(own)
    if not profiles:
        raise ConfigError(f"{path}: no profiles (and demo_profiles = false)", path=path)

    default = settings.get("default_profile") or (next(iter(own)) if own else next(iter(profiles)))
    if default not in profiles:
        raise ConfigError(
            f"{sources.get('default_profile', str(path))}: default_profile {default!r} is not a "
            f"profile (known: {', '.join(profiles)})",
            path=path,
            field="default_profile",
        )
    return FleetConfig(
        path=path,
        profiles=profiles,
        default_profile=default,
        theme=settings.get("theme"),
        timezone=settings.get("timezone"),
        demo_profiles=use_demo,
        keymap=keymap,
    )


# ---------------------------------------------------------------------------------------------
# Writing: tui/config_file.py rewrites the file (tomlkit); here, the private atomic write it uses
# ---------------------------------------------------------------------------------------------


def _write_private(path: Path, text: str) -> None:
    """Atomically replace `path` with `text`, readable by the owner only."""
    # Replace a symlink's target, not the link: dotfile managers symlink config files.
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
