"""新建批次 dialog: sampling by count, census of named 分组/地区/类别 plus a sample of the rest (picked
from the registry or typed as `round create` takes them), veto-only rounds; the live preview shows the
census part and the sampled part and is exactly what `round create` freezes with the same seed."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app.core.rounds import rounds
from app.core.store.db import connect
from app.ui.dialogs.new_round_dialog import NewRoundDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "exports"))
from circularsetup import Cli, case  # noqa: E402
from test_circular_shanghai import shanghai_registry  # noqa: E402

SHANGHAI = case("shanghai-2025-q3")


def open_dialog(qtbot, db, db_path: Path) -> NewRoundDialog:
    dialog = NewRoundDialog(db, db_path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    return dialog


def settle(qtbot, dialog, change) -> object:
    """Make a change to the form and wait for the preview that answers it."""
    with qtbot.waitSignal(dialog.preview_ready, timeout=15_000) as blocker:
        change()
    return blocker.args[0]


def planned(plan, kind=None) -> list[tuple[str, str]]:
    return [(t.target_key, t.reason) for t in plan.targets if kind is None or t.target_type == kind]


def frozen(db, rid, kind=None) -> list[tuple[str, str]]:
    return [(t.target_key, t.reason) for t in rounds.round_targets(db, rid, kind)]


def shown(dialog, reason: str) -> int:
    dialog.show_reason.setCurrentIndex(dialog.show_reason.findData(reason))
    return dialog.targets_proxy.rowCount()


@pytest.fixture
def shanghai(tmp_path, capsys):
    cli = shanghai_registry(tmp_path, capsys)
    db = connect(cli.db)
    yield cli, db
    db.close()


def test_shanghai_census_picked_plus_a_count_is_what_round_create_freezes(qtbot, shanghai):
    """上海: every 区 and 市级部门 account (200) and 148 of the other 1,409 = 348 of 1,609."""
    cli, db = shanghai
    dialog = open_dialog(qtbot, db, cli.db)
    settle(qtbot, dialog, lambda: (dialog.as_of.setText("2025-08-14"), dialog.seed.setText("9")))
    assert dialog.accounts_census.pick_button.isEnabled()
    picker = dialog.accounts_census.pick()
    listed = {picker.model.item(r).text(): [picker.model.item(r).child(k).text()
                                            for k in range(picker.model.item(r).rowCount())]
              for r in range(picker.model.rowCount())}
    assert listed["分组"] == ["区　80 个", "市级部门　120 个", f"街镇　{SHANGHAI['accounts_total'] - 200} 个"]
    assert "区01　5 个" in listed["地区"] and "网站类别" not in listed          # accounts have no category
    assert picker.set_checked("区") and picker.set_checked("市级部门")
    plan = settle(qtbot, dialog, picker.accept)
    assert dialog.accounts_census.line.text() == "区、市级部门"
    assert plan.count("account", "普查") == 200 and plan.count("account") == 200      # a census alone
    plan = settle(qtbot, dialog, lambda: dialog.accounts_scope.set_count(148))
    assert dialog.counts_model.row_values(1) == ("新媒体", 1609, 0, 200, 148, 0, 348)
    assert "新媒体 348 个（普查“区、市级部门” 200 个，其余 1409 个中抽样 148 个）" in dialog.preview_status.text()
    assert (shown(dialog, "普查"), shown(dialog, "抽样"), shown(dialog, "全量")) == (200, 148, SHANGHAI["sites"])
    assert dialog.census_note.isHidden()

    printed = cli("round", "create", "命令行", "--as-of", "2025-08-14", "--census-accounts", "区、市级部门",
                  "--sample-accounts-count", "148", "--seed", "9")
    assert planned(plan) == frozen(db, int(printed[-1]))                # the preview is round create's round

    dialog.name.setText("2025年第三季度检查")
    with qtbot.waitSignal(dialog.created, timeout=15_000) as created:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    made = rounds.get_round(db, created.args[0])
    assert (made.census_accounts, made.sample_accounts_count, made.sample_accounts_pct, made.seed) == \
        ("区、市级部门", 148, None, 9)
    assert frozen(db, made.id) == planned(plan)


def test_census_alone_typed_with_an_unknown_name(qtbot, shanghai):
    """A census with 全量 takes the census only (as the CLI does); a name that takes nothing is said,
    and the picker keeps it while it checks the names it knows."""
    cli, db = shanghai
    dialog = open_dialog(qtbot, db, cli.db)
    plan = settle(qtbot, dialog, lambda: (dialog.as_of.setText("2025-08-14"),
                                          dialog.accounts_census.line.setText("市级部门，区99")))
    assert dialog.accounts_census.text() == "市级部门、区99"
    assert plan.count("account") == 120 and plan.count("account", "普查") == 120
    assert "新媒体 120 个（普查“市级部门、区99” 120 个，其余不纳入）" in dialog.preview_status.text()
    assert not dialog.census_note.isHidden() and "“区99”下没有运行中的新媒体" in dialog.census_note.text()
    picker = dialog.accounts_census.pick()
    assert picker.chosen() == ["市级部门"]
    picker.set_checked("市级部门", False)
    picker.set_checked("区01")
    settle(qtbot, dialog, picker.accept)
    assert dialog.accounts_census.line.text() == "区01、区99"
    printed = cli("round", "create", "命令行", "--as-of", "2025-08-14", "--census-accounts", "区01、区99",
                  "--seed", dialog.seed.text())
    assert planned(dialog.plan) == frozen(db, int(printed[-1])) and dialog.plan.count("account") == 5
    plan = settle(qtbot, dialog, lambda: dialog.accounts_census.line.setText(""))
    assert plan.count("account") == 1609 and dialog.census_note.isHidden()


def test_sites_by_count_stratified_census_by_category_veto_only(qtbot, filled_db, db_path, capsys):
    """Sites: the 县级门户 census, then 2 of the others drawn per 地区 share; a veto-only round."""
    dialog = open_dialog(qtbot, filled_db, db_path)

    def change():
        dialog.as_of.setText("2025-07-31")
        dialog.seed.setText("31")
        dialog.stratify.setChecked(True)
        dialog.sites_scope.set_count(2)
        dialog.sites_census.line.setText("县级门户(含开发区/高新区)")
    plan = settle(qtbot, dialog, change)
    picker_choices = {c.term: (c.what, c.count) for c in dialog.sites_census.choices}
    assert picker_choices["县级门户(含开发区/高新区)"] == ("网站类别", 2)
    assert picker_choices["东湖区"] == ("地区", 3) and picker_choices["西湖区"] == ("地区", 3)   # 1 of 4 closed
    assert plan.count("site", "普查") == 2 and plan.count("site", "抽样") == 2
    assert dialog.counts_model.row_values(0) == ("网站", 6, 0, 2, 2, 0, 4)
    assert "网站 4 个（普查“县级门户(含开发区/高新区)” 2 个，其余 4 个中抽样 2 个）" in dialog.preview_status.text()
    regions = {t.region_name for t in plan.targets if t.reason == "抽样"}
    assert regions == {"东湖区", "西湖区"}                             # stratified: one from each
    dialog.veto_only.setChecked(True)
    dialog.name.setText("七月单项否决检查")
    with qtbot.waitSignal(dialog.created, timeout=15_000) as created:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    made = rounds.get_round(filled_db, created.args[0])
    assert made.veto_only and made.stratify_by_region and made.sample_sites_count == 2
    assert made.census_sites == "县级门户(含开发区/高新区)" and made.sample_accounts_count is None
    assert frozen(filled_db, made.id) == planned(plan)
    cli = Cli(db_path, capsys)
    printed = cli("round", "create", "命令行", "--as-of", "2025-07-31", "--census-sites", "县级门户(含开发区/高新区)",
                  "--sample-sites-count", "2", "--stratify", "--seed", "31", "--veto-only")
    assert "只检查单项否决指标" in "\n".join(printed)
    assert frozen(filled_db, int(printed[-1])) == planned(plan)


def test_percentage_and_count_are_one_choice(qtbot, filled_db, db_path):
    dialog = open_dialog(qtbot, filled_db, db_path)
    settle(qtbot, dialog, lambda: dialog.accounts_scope.set_percent(50))
    assert (dialog.params().sample_accounts_pct, dialog.params().sample_accounts_count) == (50, None)
    assert dialog.accounts_scope.pct.isEnabled() and not dialog.accounts_scope.count_spin.isEnabled()
    plan = settle(qtbot, dialog, lambda: dialog.accounts_scope.set_count(1))
    assert (dialog.params().sample_accounts_pct, dialog.params().sample_accounts_count) == (None, 1)
    assert not dialog.accounts_scope.pct.isEnabled() and plan.count("account") == 1
    plan = settle(qtbot, dialog, lambda: dialog.accounts_scope.all_button.setChecked(True))
    assert dialog.params().sample_accounts_count is None and plan.count("account", "全量") == 4
    dialog.reject()
