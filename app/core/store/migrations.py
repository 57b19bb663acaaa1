"""Ordered schema migrations; PRAGMA user_version holds the applied step.

Each step is a list of SQL statements run in one transaction together with its
version bump. Never edit a released step: append a new one.
"""
from __future__ import annotations

# Step 1: the registry (regions, units, sites, accounts, status history),
# settings and the audit log. Dates are ISO text
# (YYYY-MM-DD), times ISO text with seconds, flags 0/1 integers.
STEP_1 = [
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT
    )""",
    """CREATE TABLE regions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        code TEXT,                       -- 行政区划代码 (6 digits) if known
        parent_id INTEGER REFERENCES regions(id),
        level TEXT,                      -- 省/市/县/乡镇/部门
        group_name TEXT,                 -- annex grouping, e.g. 市(州), 省直部门
        sort_order INTEGER NOT NULL DEFAULT 0,
        notes TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE UNIQUE INDEX regions_name ON regions(name)",
    "CREATE UNIQUE INDEX regions_code ON regions(code) WHERE code IS NOT NULL AND code != ''",
    """CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,       -- 主办单位/主管单位
        region_id INTEGER REFERENCES regions(id),
        credit_code TEXT NOT NULL DEFAULT '',   -- 统一社会信用代码
        status TEXT NOT NULL DEFAULT '正常',   -- 正常/撤销/合并
        status_date TEXT,
        sort_order INTEGER NOT NULL DEFAULT 0,
        notes TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE sites (
        id INTEGER PRIMARY KEY,
        site_code TEXT NOT NULL UNIQUE,  -- 网站标识码
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        host_unit_id INTEGER REFERENCES units(id),
        supervisor_unit_id INTEGER REFERENCES units(id),
        region_id INTEGER REFERENCES regions(id),
        level TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        is_portal INTEGER NOT NULL DEFAULT 0,
        has_external_service INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL DEFAULT '正常',
        status_date TEXT,
        opened_on TEXT,
        icp TEXT NOT NULL DEFAULT '',
        psb TEXT NOT NULL DEFAULT '',
        manager_name TEXT NOT NULL DEFAULT '',
        manager_phone TEXT NOT NULL DEFAULT '',
        contact1_name TEXT NOT NULL DEFAULT '',
        contact1_phone TEXT NOT NULL DEFAULT '',
        contact1_email TEXT NOT NULL DEFAULT '',
        contact2_name TEXT NOT NULL DEFAULT '',
        contact2_phone TEXT NOT NULL DEFAULT '',
        contact2_email TEXT NOT NULL DEFAULT '',
        contact3_name TEXT NOT NULL DEFAULT '',
        contact3_phone TEXT NOT NULL DEFAULT '',
        contact3_email TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX sites_region ON sites(region_id)",
    """CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,              -- 账号名称
        platform TEXT NOT NULL,
        account_id TEXT NOT NULL DEFAULT '',   -- 账号ID/原始ID
        home_url TEXT NOT NULL DEFAULT '',
        certified_owner TEXT NOT NULL DEFAULT '',  -- 账号主体
        host_unit_id INTEGER REFERENCES units(id),
        region_id INTEGER REFERENCES regions(id),
        opened_on TEXT,
        status TEXT NOT NULL DEFAULT '正常',
        status_date TEXT,
        filed INTEGER NOT NULL DEFAULT 1,      -- 已备案
        notes TEXT NOT NULL DEFAULT '',
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX accounts_platform_id ON accounts(platform, account_id) WHERE account_id != ''",
    "CREATE INDEX accounts_platform_name ON accounts(platform, name)",
    "CREATE INDEX accounts_region ON accounts(region_id)",
    # One row per status event, so counts "截至 a date" can be rebuilt.
    """CREATE TABLE status_history (
        id INTEGER PRIMARY KEY,
        target_type TEXT NOT NULL CHECK (target_type IN ('site', 'account')),
        target_id INTEGER NOT NULL,
        event TEXT NOT NULL,             -- 开设/关停/整合迁移/注销/迁移/冻结/已发关停公告/恢复/例外
        status TEXT NOT NULL,            -- status in force from on_date
        on_date TEXT,                    -- NULL: since before records began
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX status_history_target ON status_history(target_type, target_id, on_date)",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        table_name TEXT NOT NULL,
        row_id INTEGER,
        action TEXT NOT NULL,                 -- insert/update/delete/status/import/reopen ...
        old TEXT,                             -- JSON
        new TEXT                              -- JSON
    )""",
    "CREATE INDEX audit_log_row ON audit_log(table_name, row_id)",
]

# Step 2: inspection work (profiles, rounds, findings, evidence, checks, messages, 整改).
STEP_2 = [
    # Indicator profiles edited or imported by the user; built-ins live in resources/indicators.
    """CREATE TABLE profiles (
        id TEXT PRIMARY KEY,             -- e.g. national-2019
        version TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL,              -- JSON tree
        builtin INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT '月度',     -- 月度/季度/半年/年度/专项
        as_of TEXT NOT NULL,                  -- 监测时间点
        period_from TEXT,
        period_to TEXT,
        profile_id TEXT NOT NULL DEFAULT 'national-2019',
        profile_version TEXT NOT NULL DEFAULT '',
        profile_snapshot TEXT,                -- JSON of the profile as used
        sample_sites_pct REAL,                -- NULL: all running sites
        sample_accounts_pct REAL,
        stratify_by_region INTEGER NOT NULL DEFAULT 0,
        seed INTEGER,
        recheck_round_id INTEGER REFERENCES rounds(id),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_at TEXT,
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    # Targets are frozen copies: later registry edits never rewrite a past round.
    """CREATE TABLE round_targets (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        target_type TEXT NOT NULL CHECK (target_type IN ('site', 'account')),
        site_id INTEGER REFERENCES sites(id),
        account_id INTEGER REFERENCES accounts(id),
        target_key TEXT NOT NULL,             -- 网站标识码, or 平台:账号名称
        name TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        platform TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        level TEXT NOT NULL DEFAULT '',
        is_portal INTEGER NOT NULL DEFAULT 0,
        has_external_service INTEGER NOT NULL DEFAULT 1,
        region_id INTEGER,
        region_name TEXT NOT NULL DEFAULT '',
        unit_name TEXT NOT NULL DEFAULT '',
        snapshot TEXT NOT NULL DEFAULT '{}',  -- JSON of the registry record
        reason TEXT NOT NULL DEFAULT '全量',   -- 全量/抽样/回头看
        review_state TEXT NOT NULL DEFAULT '待检查',  -- 待检查/已检查/未检查
        review_note TEXT NOT NULL DEFAULT '',
        sort_order INTEGER NOT NULL DEFAULT 0,
        CHECK ((site_id IS NOT NULL) + (account_id IS NOT NULL) = 1),
        UNIQUE (round_id, target_type, target_key)
    )""",
    "CREATE INDEX round_targets_round ON round_targets(round_id)",
    """CREATE TABLE whitelist_rules (
        id INTEGER PRIMARY KEY,
        target_key TEXT NOT NULL,             -- 网站标识码 or 平台:账号名称
        kind TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        created_by TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE check_runs (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL DEFAULT 'running',  -- running/paused/cancelled/done/failed
        params TEXT NOT NULL DEFAULT '{}',
        summary TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        target_id INTEGER NOT NULL REFERENCES round_targets(id) ON DELETE CASCADE,
        indicator_id TEXT NOT NULL,           -- profile item id, e.g. web.veto.unreachable
        kind TEXT NOT NULL DEFAULT '',        -- check kind, e.g. broken_link
        source TEXT NOT NULL DEFAULT '人工' CHECK (source IN ('自动', '人工', '导入')),
        status TEXT NOT NULL DEFAULT '待审核' CHECK (status IN ('待审核', '确认', '误报', '存疑')),
        count INTEGER NOT NULL DEFAULT 1,
        deduct REAL,                          -- override of the profile's per-occurrence figure
        url TEXT NOT NULL DEFAULT '',
        page TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        snippet TEXT NOT NULL DEFAULT '',
        evidence_text TEXT NOT NULL DEFAULT '',
        screenshot_path TEXT NOT NULL DEFAULT '',
        detected_at TEXT NOT NULL,
        reviewer TEXT NOT NULL DEFAULT '',
        reviewer_note TEXT NOT NULL DEFAULT '',
        reviewed_at TEXT,
        whitelist_rule_id INTEGER REFERENCES whitelist_rules(id),
        run_id INTEGER REFERENCES check_runs(id),
        fingerprint TEXT NOT NULL DEFAULT ''  -- same problem seen again -> same fingerprint
    )""",
    "CREATE INDEX findings_round ON findings(round_id, status)",
    "CREATE INDEX findings_target ON findings(target_id)",
    "CREATE INDEX findings_fingerprint ON findings(round_id, fingerprint)",
    # 留痕: fetched pages, probes, screenshots and files kept as evidence.
    """CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        round_id INTEGER REFERENCES rounds(id) ON DELETE CASCADE,
        target_id INTEGER REFERENCES round_targets(id) ON DELETE CASCADE,
        finding_id INTEGER REFERENCES findings(id) ON DELETE SET NULL,
        run_id INTEGER REFERENCES check_runs(id) ON DELETE SET NULL,
        kind TEXT NOT NULL DEFAULT 'page',    -- page/screenshot/file/note
        url TEXT NOT NULL DEFAULT '',
        http_status INTEGER,
        fetched_at TEXT NOT NULL,
        elapsed REAL,
        bytes INTEGER,
        content_hash TEXT NOT NULL DEFAULT '',
        mime TEXT NOT NULL DEFAULT '',
        content BLOB,                         -- zlib-compressed text
        path TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX evidence_run_url ON evidence(run_id, url)",
    "CREATE INDEX evidence_finding ON evidence(finding_id)",
    # Homepage availability probes, accumulated across runs or imported.
    """CREATE TABLE probes (
        id INTEGER PRIMARY KEY,
        site_id INTEGER REFERENCES sites(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        at TEXT NOT NULL,
        seconds REAL,
        ok INTEGER NOT NULL,
        http_status INTEGER,
        error TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT 'probe'   -- probe/import
    )""",
    "CREATE INDEX probes_site_at ON probes(site_id, at)",
    # New-media review observations per round target.
    """CREATE TABLE media_observations (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        target_id INTEGER NOT NULL REFERENCES round_targets(id) ON DELETE CASCADE,
        last_update TEXT,                     -- 最近更新日期
        posts_in_period INTEGER,
        interaction_ok INTEGER,
        ads_seen INTEGER NOT NULL DEFAULT 0,
        unrelated_content INTEGER NOT NULL DEFAULT 0,
        menu_items TEXT NOT NULL DEFAULT '[]',     -- JSON [{name, url, ok}]
        wording_errors TEXT NOT NULL DEFAULT '[]', -- JSON [{text, correction, screenshot}]
        notes TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (round_id, target_id)
    )""",
    # “我为政府网站找错” messages.
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        message_no TEXT NOT NULL UNIQUE,      -- 留言编号
        site_id INTEGER REFERENCES sites(id),
        site_name TEXT NOT NULL DEFAULT '',
        submitted_at TEXT NOT NULL,
        problem_type TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        forwarded_at TEXT,
        state TEXT NOT NULL DEFAULT '',       -- 办理状态
        answered_at TEXT,
        is_valid INTEGER,                     -- 是否属实
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # 整改: one notice per unit per round, one item per confirmed finding.
    """CREATE TABLE rectify_notices (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        unit_name TEXT NOT NULL,
        issued_on TEXT NOT NULL,
        deadline TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (round_id, unit_name)
    )""",
    """CREATE TABLE rectify_items (
        id INTEGER PRIMARY KEY,
        notice_id INTEGER NOT NULL REFERENCES rectify_notices(id) ON DELETE CASCADE,
        finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT '待整改',     -- 待整改/已整改/无需整改
        feedback TEXT NOT NULL DEFAULT '',
        recheck_result TEXT NOT NULL DEFAULT '',   -- 已整改/未整改/无法访问
        rechecked_at TEXT,
        recheck_note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (finding_id)
    )""",
]

# Step 3: honest coverage. Only 已检查 targets enter the rates now; before, every target not
# marked 未检查 counted. Open rounds: a target becomes 已检查 if a check run finished its site, or it
# has a manual or imported finding, or a new-media observation. Closed rounds keep the figures
# they were published with: their 待检查 targets become 已检查, as they were counted then.
STEP_3 = [
    """UPDATE round_targets SET review_state = '已检查'
       WHERE review_state = '待检查'
         AND round_id IN (SELECT id FROM rounds WHERE status = 'closed')""",
    """UPDATE round_targets SET review_state = '已检查'
       WHERE review_state = '待检查' AND (
         EXISTS (SELECT 1 FROM findings f WHERE f.target_id = round_targets.id AND f.source IN ('人工', '导入'))
         OR EXISTS (SELECT 1 FROM media_observations m WHERE m.target_id = round_targets.id)
         OR EXISTS (SELECT 1 FROM check_runs c WHERE c.round_id = round_targets.round_id
                    AND json_valid(c.summary)
                    AND json_extract(c.summary, '$.sites."' || replace(round_targets.target_key, '"', '') || '".state')
                        IN ('done', 'unreachable')))""",
]

# Step 4: availability monitoring. The kind of a failed probe (dns, refused, timeout, tls, http …)
# for the monitor page; an index on the probe time for pruning and for the verdict of a whole
# round in one query; failed probes by site; the retention of probes in days (0: forever).
STEP_4 = [
    "ALTER TABLE probes ADD COLUMN error_kind TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX probes_at ON probes(at)",
    # The few failed probes, for a site's latest error without scanning all its probes.
    "CREATE INDEX probes_failed ON probes(site_id, at) WHERE ok = 0",
    "INSERT OR IGNORE INTO settings(key, value) VALUES ('probe_retention_days', '90')",
]

# Step 5: circulars as published. Rounds can sample a fixed number of targets (instead of a
# percentage) and take a census of a subset (地区, 分组 or 级别 names, "、"-separated) before
# sampling the rest; a veto-only round checked the 单项否决 items alone (合格/不合格, no score).
STEP_5 = [
    "ALTER TABLE rounds ADD COLUMN sample_sites_count INTEGER",
    "ALTER TABLE rounds ADD COLUMN sample_accounts_count INTEGER",
    "ALTER TABLE rounds ADD COLUMN census_sites TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE rounds ADD COLUMN census_accounts TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE rounds ADD COLUMN veto_only INTEGER NOT NULL DEFAULT 0",
]

STEPS: list[list[str]] = [STEP_1, STEP_2, STEP_3, STEP_4, STEP_5]
LATEST = len(STEPS)
