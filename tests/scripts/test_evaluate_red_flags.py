"""The red-flag report counts right, and fails exactly when a target is missed."""

from pathlib import Path

from scripts.evaluate_red_flags import FLOOR, Case, Evidence, Report, load_cases, main, rules_only_evidence


def _case(escalate: bool, group: str) -> Case:
    return Case(text=f"{group} message", escalate=escalate, group=group, source="test.yml")


def _evidence(
    escalated: bool, rules: bool = False, score: float = 0.0, general: bool = False, probability: float = 0.0
) -> Evidence:
    return Evidence(
        escalated=escalated,
        rules=rules,
        model_score=score,
        model_heard=score >= 0.5,
        general=general,
        report_probability=probability,
        classifier_heard=probability >= 0.5,
    )


def test_recall_and_false_alarms_per_variant():
    cases = [_case(True, "fever"), _case(True, "fever"), _case(False, "negation"), _case(False, "history")]
    evidence = [
        _evidence(True, rules=True),
        _evidence(True, score=0.9, probability=0.8),
        _evidence(False, rules=True, general=True),
        _evidence(True, score=0.7),
    ]
    report = Report(cases, evidence)
    assert report.recall("combined") == 1.0
    assert report.recall("rules alone") == 0.5
    assert report.recall("model alone") == 0.5
    assert report.false_alarms("combined") == 0.5
    assert report.false_alarms("rules alone") == 0.5
    assert report.false_alarms("rules + guard") == 0.0
    assert report.recall("classifier alone") == 0.5
    assert "| fever | 2 | 2 (100%) | 1 (50%) | 1 (50%) | 1 (50%) |" in report.markdown()


def test_targets_fail_on_low_recall_an_emergency_miss_or_too_many_alarms():
    met = Report(
        [_case(True, "fever")] * 100 + [_case(False, "history")] * 20,
        [_evidence(True)] * 100 + [_evidence(False)] * 19 + [_evidence(True)],
    )
    assert met.failures() == []  # 5% false alarms is within the target
    one_emergency_miss = Report([_case(True, "breathing")] * 200, [_evidence(False)] + [_evidence(True)] * 199)
    assert one_emergency_miss.failures() == ["1 report(s) missed in the emergency groups (at most 0)"]
    assert one_emergency_miss.failures(FLOOR) == one_emergency_miss.failures()  # make test holds the targets
    low = Report(
        [_case(True, "fever")] * 10 + [_case(False, "history")] * 10,
        [_evidence(False)] + [_evidence(True)] * 9 + [_evidence(True)] + [_evidence(False)] * 9,
    )
    assert [f.split(" ")[0] for f in low.failures()] == ["recall", "false"]


def test_sets_load_with_their_groups(tmp_path: Path):
    path = tmp_path / "heldout_x.yml"
    path.write_text("escalate:\n  fever: ['temp 102']\nno_escalate:\n  history: ['had a fever in 2019']\n")
    cases = load_cases([path])
    assert [(c.text, c.escalate, c.group) for c in cases] == [
        ("temp 102", True, "fever"),
        ("had a fever in 2019", False, "history"),
    ]
    evidence = rules_only_evidence(cases)
    assert [e.escalated for e in evidence] == [True, False]


def test_rules_only_mode_reports_without_failing(capsys):
    assert main(["--sets", "training", "--rules-only"]) == 0
    assert "combined" in capsys.readouterr().out
