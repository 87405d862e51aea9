"""`make chaos`: the system with two replicas of every service under a steady command load while faults are injected
(replicas killed, the broker and the database restarted, connections dropped), then reconciled from outside: what
registry committed against what an outside subscriber, reporting, notifications and the SMTP server saw
(docs/chaos.md). It runs on a PostgreSQL cluster and a RabbitMQ node of its own, never on the machine's shared ones."""
