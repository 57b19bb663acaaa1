"""Run one check of a round with given options and print a JSON report on the last line:
per-site state, seconds, notes; findings by kind; the run's helper figures; own peak RSS.

Usage: python tests/hostile/run_check.py DB ROUND_ID OPTIONS_JSON"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.crawl import jobs  # noqa: E402
from app.core.crawl.proc_limits import peak_rss_mb  # noqa: E402
from app.core.rounds import findings  # noqa: E402
from app.core.store import db as store  # noqa: E402


def main() -> None:
    db_path, round_id, options = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    summary = jobs.run_checks(db_path, round_id, options=jobs.CheckOptions.from_dict(options))
    d = store.connect(db_path)
    try:
        found = [{"target": f.target_key, "kind": f.kind, "detail": f.detail, "count": f.count, "url": f.url}
                 for f in findings.list_findings(d, round_id)]
    finally:
        d.close()
    report = {
        "state": summary.state, "elapsed": summary.elapsed, "errors": summary.errors, "helpers": summary.helpers,
        "peak_mb": peak_rss_mb(),
        "sites": {s.site_key: {"state": s.state, "seconds": s.elapsed, "notes": s.notes, "pages": s.pages,
                               "links": s.links, "error": s.error} for s in summary.sites},
        "findings": found,
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
