"""`guichet finess import`: the public extraction's lines read (établissements kept,
geolocalisation and header ignored, bad lines reported with their number), upserted by
FINESS number, on both databases."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from auth.habilitation.finess_import import BadLine, import_finess, parse_line
from server.cli import main
from server.runtime import Runtime
from tenants.session import open_session
from tenants.structures import Structure
from tests.helpers.habilitations import SAMPLE, fresh_finess


def structure_line(finess: str, name: str, routing: str = "44000 NANTES") -> str:
    cells = ["structureet", finess, "", name[:20], name, "", "", "3", "R", "DES LILAS", "", ""]
    cells += ["109", "44", "LOIRE-ATLANTIQUE", routing, "", "", "190", "CAMSP", "4106", "E"]
    cells += ["", "8810C", "34", "ARS", "99", "I", "2001-01-01", "2001-01-01", "2025-01-01", ""]
    assert len(cells) == 32
    return ";".join(cells)


def test_lines_of_the_public_format() -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("finess;etalab;")
    assert parse_line(lines[0]) is None  # the header
    row = parse_line(lines[1])
    assert not isinstance(row, str) and row is not None
    assert (row.finess, row.name, row.town, row.postal_code, row.category_code) == (
        "750790073",
        "CAMSP JANINE LEVY",
        "PARIS 12E ARRONDISSEMENT",
        "75012",
        "190",
    )
    assert parse_line(lines[-1]) is None  # a geolocalisation line
    assert parse_line("structureet;75079007;x") == "3 champs au lieu de 32"
    assert parse_line(structure_line("750790074", "CAMSP")) == "N°FINESS invalide « 750790074 »"
    assert parse_line(structure_line("750790073", "")) == "raison sociale vide"
    assert parse_line("autre;chose") == "type de ligne inconnu « autre »"


async def test_import_upserts_by_number_and_reports_bad_lines(
    runtime: Runtime, tmp_path: Path
) -> None:
    first, second = fresh_finess(), fresh_finess()
    path = tmp_path / "etalab-cs1100507-stock.csv"
    latin = structure_line(second, "CAMSP HÉLÈNE").encode("latin-1")
    path.write_bytes(
        b"finess;etalab;100;2025-11-27\r\n"
        + structure_line(first, "CAMSP UN").encode()
        + b"\r\nstructureet;12345678;court\r\n"
        + latin
        + b"\r\ngeolocalisation;"
        + first.encode()
        + b";1;2;x;2025-01-01\r\n"
    )
    seen: list[BadLine] = []
    services = runtime.services
    report = await import_finess(
        services.sessions, "cnsa", path, services.clock, on_bad_line=seen.append
    )
    assert (report.structures, report.inserted, report.updated, report.bad) == (2, 2, 0, 1)
    assert seen == [BadLine(3, "3 champs au lieu de 32")]
    path.write_text(
        "finess;etalab;1;x\r\n" + structure_line(first, "CAMSP UN RENOMMÉ", "69003 LYON") + "\r\n",
        encoding="utf-8",
    )
    again = await import_finess(services.sessions, "cnsa", path, services.clock)
    assert (again.inserted, again.updated) == (0, 1)
    async with open_session(services.sessions, "cnsa") as session:
        rows = {
            r.finess: r
            for r in await session.scalars(
                select(Structure).where(Structure.finess.in_([first, second]))
            )
        }
    assert (rows[first].name, rows[first].town, rows[first].postal_code) == (
        "CAMSP UN RENOMMÉ",
        "LYON",
        "69003",
    )
    assert rows[second].name == "CAMSP HÉLÈNE"  # a Latin-1 line read as such
    async with open_session(services.sessions, "cnaps") as session:
        assert (await session.scalars(select(Structure.id))).all() == []  # per tenant


def test_the_command_line(tmp_path: Path) -> None:
    """The command on the embedded default (its own SQLite file): progress on stderr, the
    summary on stdout, bad lines reported and skipped."""
    path = tmp_path / "finess.csv"
    path.write_text(
        "finess;etalab;2;x\nstructureet;1;2\n" + structure_line(fresh_finess(), "CAMSP") + "\n",
        encoding="utf-8",
    )
    env = {
        "GUICHET_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "GUICHET_DATA_DIR": str(tmp_path),
    }
    runner = CliRunner()
    migrated = runner.invoke(main, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    result = runner.invoke(main, ["finess", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 structures read (1 new, 0 updated), 1 bad lines" in result.stdout
    assert "line 2: 3 champs au lieu de 32" in result.stderr


def test_the_first_managers_come_from_the_command(tmp_path: Path) -> None:
    env = {
        "GUICHET_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "GUICHET_DATA_DIR": str(tmp_path),
    }
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"], env=env).exit_code == 0
    command = ["habilitation", "add-manager", "--email", "alice.martin@cnsa.fr"]
    # a new account's names are asked for, never guessed from the address
    made = runner.invoke(
        main, [*command, "--application", "CAMSP_CMPP"], env=env, input="Martin\nAlice\n"
    )
    assert made.exit_code == 0, made.output
    assert "Family name of the new account" in made.output
    assert "alice.martin@cnsa.fr (amartin) now manages CAMSP_CMPP (account opened" in made.output
    again = runner.invoke(main, [*command, "--application", "CAMSP_CMPP"], env=env)
    assert "already manages CAMSP_CMPP." in again.output
    unknown = runner.invoke(main, [*command, "--application", "ADMINISTRATION"], env=env)
    assert unknown.exit_code != 0 and "application" in unknown.output.lower()
