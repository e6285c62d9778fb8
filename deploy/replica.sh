#!/usr/bin/env bash
# A read replica of $PRIMARY_HOST: on first start, copy the primary with pg_basebackup
# (-R writes standby.signal and primary_conninfo; a replication slot keeps the WAL a
# stopped replica needs), then run PostgreSQL as a hot standby. The same steps as the
# bare-metal test (tests/pgcluster.py, tests/integration/test_replicas.py).
set -euo pipefail
PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  until pg_isready -h "$PRIMARY_HOST" -q; do sleep 1; done
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup -h "$PRIMARY_HOST" \
    -U replicator -D "$PGDATA" -R -X stream -c fast -C -S replica1 -w
fi
exec gosu postgres postgres -c hot_standby=on
