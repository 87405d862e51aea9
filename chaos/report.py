"""The figures of a chaos run, as printed by `make chaos` (docs/chaos.md shows a full run's)."""

from __future__ import annotations

from collections import Counter

from chaos.run import Outcome


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none"


def lines(outcome: Outcome) -> list[str]:
    config, load, faults, r = outcome.config, outcome.load, outcome.faults, outcome.reconciliation
    lost_answers = len(load.answer_lost)
    out = [
        f"run: {config.seconds:g} s of load at {config.rate:g} registrations/s, {config.replicas} replicas of every "
        "service, private PostgreSQL and " + ("a RabbitMQ cluster of three nodes" if config.cluster else "RabbitMQ"),
        f"faults injected: {sum(faults.injected.values())} ({_counts(dict(faults.injected))})",
        f"fault failures: {len(faults.failures)}" + "".join(f"\n  {failure}" for failure in faults.failures),
        f"replicas that exited on their own (started again): {_counts(dict(faults.unplanned_exits))}",
        f"replicas that exited while starting (broker or database down then; started again): "
        f"{_counts(dict(faults.restarts_at_start))}",
        f"commands sent: {len(load.commands)} (not sent, too many in flight: {load.not_sent}; sent again after a "
        f"refused connection or a 503: {load.retried})",
        f"commands answered: {len(load.answered)} ({len(load.answered_ok)} with 2xx, others by status: "
        f"{_counts(dict(Counter(str(c.status) for c in load.answered if c not in load.answered_ok)))}); "
        f"answer lost: {lost_answers}",
        f"committed by registry: {r.committed} registrations; answered 2xx but not committed: "
        f"{r.acknowledged_not_committed}; registered twice: {r.committed_twice}",
        f"events committed (every service's outbox): {r.events_committed}; still unpublished: {r.events_unpublished}",
        f"lost (committed, not seen downstream): {r.lost} (subscriber {r.lost_to_subscriber}, reporting "
        f"{r.lost_to_reporting}, notifications {r.lost_to_notifications}, mails {r.mails_missing})",
        f"applied twice: {r.applied_twice} (reporting {r.applied_twice_reporting}, notifications "
        f"{r.applied_twice_notifications})",
        f"mails sent twice: {r.mailed_twice} (of which the same notification's mail again, one Message-ID: "
        f"{r.mailed_twice_same_message_id}; mails naming no command: {r.mails_without_token})",
        f"redelivered to the outside subscriber (allowed, at least once): {r.redelivered_to_subscriber}",
        f"dead-lettered: {_counts(r.dead_lettered)}",
        *(
            [
                "quorum queues by replicas (nodes holding one) at the end: "
                + _counts(dict(Counter(f"{count} nodes" for count in outcome.queue_replicas.values()))),
                f"AMQP connections by node at the end: {_counts(outcome.connections_by_node)}",
            ]
            if config.cluster
            else []
        ),
        "drained in: "
        + (f"{outcome.drained_in:.1f} s" if outcome.drained_in is not None else "not within the deadline"),
        "timings: " + ", ".join(f"{name} at {seconds:.0f} s" for name, seconds in outcome.timings.items()),
        "result: " + ("PASS: nothing lost, nothing applied twice, no mail sent twice" if outcome.passed else "FAIL"),
    ]
    if outcome.not_stopped:
        out.append(f"replicas that did not stop within 15 s of SIGTERM (killed): {', '.join(outcome.not_stopped)}")
    if outcome.kept is not None:
        out.append(f"logs and data kept in {outcome.kept}")
    return out
