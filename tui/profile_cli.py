"""`fleet profile list|add|test`: the profiles of the config file at the command line.

`add` takes the fields of the chosen platform's profile model as options (the same pydantic
model that validates the config file and drives the console's form); a secret goes to the
keyring, never to the file.
"""

from __future__ import annotations

import argparse
import sys
import types
from typing import Any, Literal, Union, get_args, get_origin

from tui.config import PLATFORMS, PROFILE_MODELS, ConfigError, ProfileBase

__all__ = ["add_parser", "endpoint", "mode", "run"]

#: fields that are no options: the name is positional, the platform chosen with --platform, and
#: demo profiles (simulator) come with fleet
_NOT_OPTIONS = ("name", "platform", "simulator")
_EPILOG = """\
examples:
  fleet profile list
  FLEET_LAB_CLIENT_SECRET=… fleet profile add lab --platform thingpark \\
      --base-url https://community.thingpark.io --client-id sub-199983788/lab
  fleet profile add lab --platform thingpark --base-url … --client-id … --ask-secret
  fleet profile test lab

exit status: 0 done, 1 the platform refused or did not answer (its code and message on
stderr), 2 usage or config error"""


def _shown(text: object) -> str:
    from tui.cli import _shown as shown

    return shown(text)


def endpoint(profile: ProfileBase) -> str:
    """Where a profile connects to, as the lists show it."""
    return "embedded simulator" if profile.simulator else profile.base_url


def mode(profile: ProfileBase) -> str:
    """A profile's flags, as the lists show them: demo, INSECURE, read-only."""
    flags = []
    if profile.simulator:
        flags.append("demo")
    if profile.insecure:
        flags.append("INSECURE")
    if profile.readonly:
        flags.append("read-only")
    return ", ".join(flags)


# ---------------------------------------------------------------------------- the parser


def _option_fields() -> dict[str, Any]:
    """Every platform's profile fields (first declaration wins), as `add` offers them."""
    fields: dict[str, Any] = {}
    for model in PROFILE_MODELS.values():
        for name, info in model.model_fields.items():
            if name not in _NOT_OPTIONS:
                fields.setdefault(name, info)
    return fields


def _base(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _choices(name: str) -> list[str]:
    """The values a Literal field takes on any platform (`auth`: each platform has its own)."""
    values: list[str] = []
    for model in PROFILE_MODELS.values():
        info = model.model_fields.get(name)
        if info is not None:
            values += [v for v in get_args(_base(info.annotation)) if v not in values]
    return values


def _platforms_with(name: str) -> str:
    return ", ".join(p for p, m in PROFILE_MODELS.items() if name in m.model_fields)


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `fleet profile` and its commands."""
    group = sub.add_parser(
        "profile",
        help="list, add or test connection profiles",
        description="Connection profiles: list them, add one, test one.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = group.add_subparsers(dest="profile_command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="every profile: name, platform, endpoint, mode")
    add = commands.add_parser(
        "add",
        help="add a profile (or replace one of that name); the config keeps its comments",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("name", help="profile name (letters, digits, '-', '_')")
    add.add_argument("--platform", required=True, choices=PLATFORMS)
    for name, info in _option_fields().items():
        flag = "--" + name.replace("_", "-")
        text = f"{info.description or name} [{_platforms_with(name)}]"
        base = _base(info.annotation)
        dest = f"field_{name}"  # its own dest: `fleet --readonly` stays the console's option
        if base is bool:
            add.add_argument(flag, dest=dest, action="store_true", default=None, help=text)
        elif get_origin(base) is Literal:
            add.add_argument(flag, dest=dest, choices=_choices(name), help=text)
        else:
            kind = base if base in (int, float) else str
            add.add_argument(flag, dest=dest, type=kind, metavar=name.upper(), help=text)
    secret = add.add_mutually_exclusive_group()
    secret.add_argument(
        "--ask-secret",
        action="store_true",
        help="prompt for the secret (not echoed) and store it in the keyring",
    )
    secret.add_argument(
        "--secret-env",
        metavar="VAR",
        help="store the secret found in environment variable VAR in the keyring",
    )
    test = commands.add_parser(
        "test",
        help="log in and ask for the first page of devices: time, who, answer, TLS",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test.add_argument("name", help="profile name")


# ---------------------------------------------------------------------------- the commands


def _fail(message: str, code: int = 2) -> int:
    print(f"fleet: {_shown(message)}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    """Run `fleet profile <command>`; the exit status."""
    from tui.config import load_config

    try:
        config = load_config()
        if args.profile_command == "list":
            return _list(config.profiles)
        if args.profile_command == "add":
            return _add(args, config.path)
        return _test(config.get_profile(args.name))
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _list(profiles: dict[str, ProfileBase]) -> int:
    rows = [
        (name, profile.platform, endpoint(profile), mode(profile))
        for name, profile in profiles.items()
    ]
    header = ("name", "platform", "endpoint", "mode")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        cells = [_shown(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, _shown(row[3])]).rstrip())
    return 0


def _read_secret(args: argparse.Namespace) -> str | None:
    import os

    if args.secret_env:
        value = os.environ.get(args.secret_env)
        if not value:
            raise ValueError(f"--secret-env: environment variable {args.secret_env} is not set")
        return value
    if args.ask_secret:
        import getpass

        return getpass.getpass("secret (not shown): ") or None
    return None


def _how_to_provide(profile: ProfileBase) -> str:
    from tui.secrets import env_var_name, keyring_username

    field = profile.secret_field
    return (
        f"its {field}: `keyring set fleet {keyring_username(profile.name, field)}`, or export "
        f"{env_var_name(profile.name, field)}, or give it a secret_command (--secret-command)"
    )


def _add(args: argparse.Namespace, path: Any) -> int:
    from pydantic import ValidationError

    from tui.config import _validation_message
    from tui.config_file import save_profile
    from tui.secrets import SecretResolver

    model = PROFILE_MODELS[args.platform]
    values: dict[str, Any] = {"name": args.name, "platform": args.platform}
    for name in _option_fields():
        value = getattr(args, f"field_{name}")
        if value is None:
            continue
        if name not in model.model_fields:
            flag = "--" + name.replace("_", "-")
            return _fail(
                f"{flag} is not a {args.platform} field (it is of {_platforms_with(name)})"
            )
        values[name] = value
    try:
        profile = model.model_validate(values)
    except ValidationError as exc:
        return _fail(f"profile {args.name!r}: {_validation_message(exc, model)[1]}")
    try:
        secret = _read_secret(args)
    except ValueError as exc:
        return _fail(str(exc))
    if secret is not None and not SecretResolver().store_secret(
        profile, profile.secret_field, secret
    ):
        return _fail(
            f"no keyring works here: profile {profile.name} not saved. Provide "
            + _how_to_provide(profile)
        )
    save_profile(path, profile)
    print(f"profile {_shown(profile.name)} saved in {_shown(path)}")
    if secret is not None:
        print(f"its {profile.secret_field} is in the keyring")
    elif not profile.secret_command:
        print("Provide " + _how_to_provide(profile))
    return 0


def _test(profile: ProfileBase) -> int:
    import asyncio

    from tui.connection_check import check_connection
    from tui.secrets import SecretResolver
    from tui.session import EmbeddedSimulator

    simulator = EmbeddedSimulator()
    try:
        report = asyncio.run(check_connection(profile, SecretResolver(), simulator))
    finally:
        simulator.stop()
    out = sys.stdout if report.ok else sys.stderr
    for line in report.lines():
        print(_shown(line), file=out)
    return 0 if report.ok else 1
