"""The short chaos run (`python -m chaos --short`; `make chaos` is the long one, not in `make test`): two replicas of
every service on a private PostgreSQL and RabbitMQ, 15 s of registrations at 10/s, one fault of each kind (every
service's replica killed, the broker stopped and started, the database restarted, the database's and the broker's
connections dropped); then nothing lost, nothing applied twice, no mail sent twice.

The same with a RabbitMQ cluster (`python -m chaos --short --cluster`): three nodes formed by the compose `cluster`
profile's configuration, the services given all three (MITRA_AMQP_NODES), one node stopped and started while the
other two go on; and at the end every quorum queue of the run has a replica on each of the three nodes."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest
from support.paths import REPO

sys.path.insert(0, str(REPO))  # chaos/ is a folder of the repository, not an installed package

from chaos.faults import KINDS
from chaos.infra import PrivateRabbitCluster
from chaos.report import lines
from chaos.run import SHORT, run
from mitra_devtools.launcher import ALL_SERVICES

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("cluster", [False, True], ids=["one-rabbitmq-node", "rabbitmq-cluster"])
async def test_replicas_under_faults_lose_nothing_and_apply_nothing_twice(cluster: bool) -> None:
    outcome = await run(replace(SHORT, cluster=cluster))
    report = "\n".join(lines(outcome))
    faults = outcome.faults.injected
    assert sum(faults.values()) == len(KINDS) - 1 + len(ALL_SERVICES), report
    assert all(faults[f"kill {service}"] == 1 for service in ALL_SERVICES), report
    assert not outcome.faults.failures, report
    reconciled = outcome.reconciliation
    assert reconciled.committed >= len(outcome.load.answered_ok) > 0, report
    assert reconciled.events_committed >= reconciled.committed, report
    assert outcome.drained_in is not None, report
    assert reconciled.lost == 0, report
    assert reconciled.applied_twice == 0, report
    assert reconciled.mailed_twice == 0, report
    assert not any(reconciled.dead_lettered.values()), report
    if cluster:
        assert outcome.queue_replicas, report
        assert set(outcome.queue_replicas.values()) == {PrivateRabbitCluster.SIZE}, report
    assert outcome.passed, report
