"""`remun claims list` and `remun claims reverse`, and batches, as scripts run them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from tests.helpers.cli import run

PROJECT = "Community Mental Health Service Redesign"
FIELDS = {"id", "person", "session_date", "kind", "amount", "status", "batch", "batch_status"}


def claims_of(env, *extra):
    result = run(env, "claims", "list", "--project", PROJECT, "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_list_then_reverse_a_claim_in_an_open_batch(cli_env):  # noqa: F811
    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    listed = claims_of(cli_env)
    assert listed and all(set(row) == FIELDS for row in listed)
    assert {row["status"] for row in listed} <= {"submitted", "approved", "rejected", "reversed"}
    assert {row["kind"] for row in listed} <= {"time", "expenses"}
    assert all(row["batch_status"] in (None, "open", "paid") for row in listed)
    paid = [row for row in listed if row["batch_status"] == "paid"]
    assert paid and all(row["status"] == "approved" for row in paid)

    # Approve what is waiting, batch it, then reverse one claim in the open batch: it leaves the batch.
    assert run(cli_env, "approve", "--project", PROJECT).returncode == 0
    created = run(cli_env, "batch", "create", "--project", PROJECT, "--json")
    assert created.returncode == 0, created.stderr
    batch = json.loads(created.stdout)["batch"]
    in_batch = [row for row in claims_of(cli_env, "--status", "approved") if row["batch"] == batch]
    target = in_batch[0]
    assert target["batch_status"] == "open"
    reversed_ = run(cli_env, "claims", "reverse", str(target["id"]), "--reason", "Entered twice")
    assert reversed_.returncode == 0, reversed_.stderr
    again = run(cli_env, "claims", "reverse", str(target["id"]), "--reason", "Entered twice")
    assert again.returncode == 1 and "already reversed" in again.stderr
    after = {row["id"]: row for row in claims_of(cli_env)}
    assert (after[target["id"]]["status"], after[target["id"]]["batch"]) == ("reversed", None)
    assert run(cli_env, "batch", "paid", str(batch)).returncode == 0
    assert all(row["status"] == "approved" for row in claims_of(cli_env) if row["batch_status"] == "paid")
    assert run(cli_env, "verify").returncode == 0


def test_reversing_a_paid_claim_is_refused_plainly(cli_env):  # noqa: F811
    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    paid = [row for row in claims_of(cli_env) if row["batch_status"] == "paid"]
    result = run(cli_env, "claims", "reverse", str(paid[0]["id"]), "--reason", "Too late")
    assert result.returncode == 1
    assert "paid by bank" in result.stderr and "Traceback" not in result.stderr
    assert run(cli_env, "claims", "reverse", "999999", "--reason", "x").stderr.strip() == "There is no claim 999999."


def test_verify_records_checkpoints_and_notices_a_chain_that_no_longer_has_them(cli_env, tmp_path):  # noqa: F811
    from remun.ledger.checkpoints import read_checkpoints

    checkpoints = tmp_path / "instance" / "ledger-checkpoints.jsonl"
    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    first = run(cli_env, "verify")
    assert first.returncode == 0 and "Checkpoint recorded" in first.stdout, first.stderr
    recorded = read_checkpoints(checkpoints)
    assert len(recorded) == 1 and recorded[0].sequence > 0
    # A checkpoint the chain does not contain (as after a rewind or a rewrite) is reported.
    with checkpoints.open("a") as handle:
        handle.write(json.dumps({"sequence": recorded[0].sequence, "hash": "f" * 64, "at": "2026-12-01T09:00:00+00:00"})
                     + "\n")
    second = run(cli_env, "verify")
    assert second.returncode == 1 and "rewound or rewritten" in second.stderr
    assert len(read_checkpoints(checkpoints)) == 2  # nothing recorded for a ledger that fails
