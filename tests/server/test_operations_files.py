"""What ships for operations agrees with the code: compose.yaml's services run commands the CLI
has, with variables that are settings; one image, built once; pinned images; the Dockerfile
installs the hashed lock, which covers pyproject.toml; .dockerignore keeps secrets and local
state out of the build context. (Docker itself cannot run here: these read the files.)

And the GraphQL operations shipped for frontends: `operations/*.graphql` are named, unique,
valid against `schema.graphql`; every GraphQL block of README is one of them, verbatim;
`operations/codegen.yml` maps every custom scalar of the schema."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    parse,
    print_ast,
    specified_scalar_types,
    validate,
    visit,
)
from sqlalchemy.engine import make_url

from server.cli import main
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GUICHET_SERVICES = ("migrate", "app", "worker")
SETTINGS = {f"GUICHET_{f.name.upper()}" for f in fields(Settings)}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def cli_commands() -> dict[str, str]:
    """`guichet --help`'s command list: {name: summary}."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:", 1)[1]
    return dict(re.findall(r"^  (\S+)\s+(.*)$", listed, re.MULTILINE))


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_services_run_commands_and_options_the_cli_has() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "mailpit", *GUICHET_SERVICES}
    commands = cli_commands()
    assert {"serve", "migrate", "worker"} <= set(commands)
    for name in GUICHET_SERVICES:
        command = services[name]["command"]
        assert command[0] == "guichet" and command[1] in commands, (name, command)
        options = {opt for param in main.commands[command[1]].params for opt in param.opts}
        for word in command[2:]:
            if word.startswith("-"):
                assert word in options, (name, word)
        help_run = CliRunner().invoke(main, [*command[1:], "--help"])
        assert help_run.exit_code == 0, help_run.output


def test_the_services_variables_are_settings_and_parse() -> None:
    services = compose()["services"]
    for name in GUICHET_SERVICES:
        environment: dict[str, str] = services[name]["environment"]
        assert set(environment) <= SETTINGS, set(environment) - SETTINGS
        settings = Settings.from_env({key: str(value) for key, value in environment.items()})
        # the server is not the tables' owner (row-level security binds it) and the
        # worker service sends the mail
        server, owner = make_url(settings.database_url), make_url(settings.migration_database_url)
        assert server.get_backend_name() == owner.get_backend_name() == "postgresql"
        assert server.username != owner.username
        assert settings.send_mail_in_process is False
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert set(re.findall(r"\b(GUICHET_[A-Z_]+)=", dockerfile)) <= SETTINGS


def test_the_database_role_compose_uses_is_the_one_postgres_creates() -> None:
    environment = compose()["services"]["app"]["environment"]
    server = make_url(environment["GUICHET_DATABASE_URL"])
    init = (ROOT / "compose" / "postgres-init.sql").read_text(encoding="utf-8")
    assert f"CREATE ROLE {server.username} LOGIN PASSWORD '{server.password}'" in init
    assert "NOBYPASSRLS" in init and "NOSUPERUSER" in init


def test_one_image_is_built_once_and_shared() -> None:
    services = compose()["services"]
    images = {services[name]["image"] for name in GUICHET_SERVICES}
    assert len(images) == 1 and not images.pop().endswith(":latest")
    built = [name for name in GUICHET_SERVICES if "build" in services[name]]
    assert built == ["migrate"]
    for name in ("app", "worker"):
        assert services[name]["pull_policy"] == "never"  # the image built above, never a pull
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


PINNED = re.compile(r"^v?\d+\.\d+(\.\d+)?(-[a-z0-9]+)*$")


@pytest.mark.parametrize("service", ["postgres", "mailpit"])
def test_third_party_images_are_pinned(service: str) -> None:
    image = compose()["services"][service]["image"]
    _, _, tag = image.rpartition(":")
    assert PINNED.match(tag), image


def test_the_image_installs_the_hashed_lock_which_covers_pyproject() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert base and PINNED.match(base.group(1).rpartition(":")[2].replace("-slim", "")), base
    assert "COPY requirements.lock" in dockerfile
    assert re.search(r"pip install .*--require-hashes.* -r requirements\.lock", dockerfile)
    assert re.search(r"pip install --no-deps \.", dockerfile)  # the project, nothing resolved

    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {
        normalise(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.MULTILINE)
    }
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 1)[1])
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = normalise(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0])
        assert name in pinned, f"{name} is not in requirements.lock: run pip-compile"


def _regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern: `**/` any folders, `*` and `?` within one path element."""
    out = ""
    for token in re.split(r"(\*\*/|\*|\?)", pattern):
        out += {"**/": "(?:.*/)?", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
    return re.compile(out)


def excluded(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path, or a folder holding it, wins; a
    pattern starting with `!` re-includes."""
    parts = path.split("/")
    ancestors = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for raw in patterns:
        pattern = _regex(raw.removeprefix("!").strip("/"))
        if any(pattern.fullmatch(candidate) for candidate in ancestors):
            result = not raw.startswith("!")
    return result


def test_the_build_context_holds_the_sources_and_no_local_state_or_secret() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in (
        ".venv/bin/python",
        "guichet.db",
        "guichet.db-wal",
        "var/signing-keys.json",
        "var/mail/new/1.eml",
        "var/files/ab/cdef",
        "server/signing-keys.json",
        "tests/conftest.py",
        ".git/HEAD",
        "server/__pycache__/app.cpython-311.pyc",
    ):
        assert excluded(path, patterns), path
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = re.findall(r"^COPY (.+) \S+$", dockerfile, re.MULTILINE)
    for sources in copied:
        for source in sources.split():
            assert (ROOT / source).exists(), source
            assert not excluded(source, patterns), source
    for path in ("server/app.py", "migrations/versions/0001_foundation.py", "mail/templates"):
        assert not excluded(path, patterns), path


OPERATIONS = ROOT / "operations"


def operation_documents() -> dict[str, DocumentNode]:
    files = sorted(OPERATIONS.glob("*.graphql"))
    assert len(files) >= 5, files
    return {path.name: parse(path.read_text(encoding="utf-8")) for path in files}


def named_operations() -> dict[str, OperationDefinitionNode]:
    """Every operation of `operations/` by name; anonymous or repeated names are refused."""
    found: dict[str, OperationDefinitionNode] = {}
    for file_name, document in operation_documents().items():
        for definition in document.definitions:
            assert isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode)
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name is not None, f"an anonymous operation in {file_name}"
                name = definition.name.value
                assert name not in found, f"{name} is defined twice"
                found[name] = definition
    return found


def readme_blocks(language: str) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)


def test_operations_are_named_unique_and_valid_against_the_schema() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    for file_name, document in operation_documents().items():
        errors = validate(schema, document)
        assert errors == [], (file_name, [error.message for error in errors])
    operations = named_operations()
    # every mutation of the schema has its operation, and the journeys' queries are there
    mutation_type = schema.mutation_type
    assert mutation_type is not None
    asked = {
        selection.name.value
        for operation in operations.values()
        for selection in operation.selection_set.selections
        if operation.operation.value == "mutation" and hasattr(selection, "name")
    }
    assert set(mutation_type.fields) - asked == set()  # every mutation has its operation


class _MissingIds(Visitor):
    """Selections of a type that has an `id` but do not ask for it (a normalised cache such as
    Relay's or Apollo's needs it: @graphql-eslint's `require-selections`)."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.missing: list[str] = []

    def enter_selection_set(self, node: SelectionSetNode, *_args: object) -> None:
        parent = self.type_info.get_parent_type()
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        if "id" not in parent.fields or parent.name in ("Query", "Mutation"):
            return
        asked = {s.name.value for s in node.selections if isinstance(s, FieldNode)}
        in_fragments = {
            s.name.value
            for fragment in node.selections
            if isinstance(fragment, InlineFragmentNode)
            for s in fragment.selection_set.selections
            if isinstance(s, FieldNode)
        }
        if "id" not in asked | in_fragments:
            self.missing.append(parent.name)


def test_operations_follow_what_client_linters_require() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    for name, operation in named_operations().items():
        # PascalCase, no Query/Mutation/Get decoration (@graphql-eslint's naming-convention)
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name
        assert not re.match(r"(Query|Mutation|Subscription|Get)[A-Z]", name), name
        assert not name.endswith(("Query", "Mutation", "Subscription")), name
        type_info = TypeInfo(schema)
        visitor = _MissingIds(type_info)
        visit(operation, TypeInfoVisitor(type_info, visitor))
        assert visitor.missing == [], (name, visitor.missing)


def test_readme_blocks_are_operations_of_the_folder_verbatim() -> None:
    operations = named_operations()
    blocks = readme_blocks("graphql")
    assert len(blocks) >= 30
    shown = set()
    for block in blocks:
        document = parse(block)
        [definition] = document.definitions  # one operation per block
        assert isinstance(definition, OperationDefinitionNode) and definition.name, block
        name = definition.name.value
        assert name in operations, f"README's {name} is not in operations/"
        assert print_ast(definition) == print_ast(operations[name]), name
        shown.add(name)
    assert len(shown) == len(blocks)  # no operation shown twice
    # the multipart example names its operation too
    for block in readme_blocks("sh"):
        for query in re.findall(r'"query":"(.*?)"', block):
            assert re.match(r"(query|mutation) [A-Z]\w*", query), query
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for file_name in operation_documents():
        assert f"(operations/{file_name})" in readme, file_name


def test_codegen_configuration_maps_every_custom_scalar() -> None:
    config = yaml.safe_load((OPERATIONS / "codegen.yml").read_text(encoding="utf-8"))
    assert (OPERATIONS / config["schema"]).resolve() == ROOT / "schema.graphql"
    assert sorted(OPERATIONS.glob(config["documents"].removeprefix("./"))) == sorted(
        OPERATIONS.glob("*.graphql")
    )
    [(_, target)] = config["generates"].items()
    assert target["preset"] == "client"
    assert target["config"]["strictScalars"] is True
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    custom = {
        name
        for name, named in schema.type_map.items()
        if isinstance(named, GraphQLScalarType) and name not in specified_scalar_types
    }
    assert target["config"]["scalars"] == {"Date": "string", "DateTime": "string", "Upload": "File"}
    assert set(target["config"]["scalars"]) == custom
    for name in custom:
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType) and scalar.specified_by_url, name
