from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 11, 25)
TEGAL_HARUM = "51.71.03.2008"
SERANGAN = "51.71.01.1001"
