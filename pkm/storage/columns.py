"""Column types shared by the models and the migrations, so that both engines agree."""

from __future__ import annotations

import sqlalchemy as sa

# Unix seconds. INTEGER is 64 bits on SQLite but 32 on PostgreSQL, where it would end in
# 2038 and refuse the far dates some imported files carry.
SECONDS = sa.Integer().with_variant(sa.BigInteger(), "postgresql")
