"""The exercise's tables in docs/characters.md and docs/ko/char-rnn-exercise.md quote the benchmark's files.

Each row's cells (seeds recited, updates to recite, model learnt, the outcome per seed) must be
what benchmarks/char_rnn_exercise.py wrote, so that a re-run or a hand-typed digit cannot drift
from the docs unnoticed.
"""

import json

import pytest
from helpers.paths import REPO

RESULTS = [
    REPO / "benchmarks" / "results" / "char_rnn_exercise.json",
    REPO / "benchmarks" / "results" / "char_rnn_exercise_training_faults.json",
]
PAGES = [REPO / "docs" / "characters.md", REPO / "docs" / "ko" / "char-rnn-exercise.md"]
# The row names on each page → the benchmark's variant labels.
ROW_NAMES = {
    "all six (the notes' run)": "all six faults (the notes' run)",
    "only the squared error": "only mse",
    "only ten updates": "only ten_updates",
    "only the zero start vector": "only zero_start",
    "only the scores fed back": "only feed_scores",
    "only no clipping": "only unclipped",
    "only `@@` (no end token)": "only same_token",
    "none": "no fault",
    "여섯 가지 모두 (노트의 실행)": "all six faults (the notes' run)",
    "제곱 오차만": "only mse",
    "갱신 10번만": "only ten_updates",
    "0 벡터로 시작만": "only zero_start",
    "점수를 다시 입력만": "only feed_scores",
    "클리핑 없음만": "only unclipped",
    "`@@`(끝 토큰 없음)만": "only same_token",
    "없음 (모두 고침)": "no fault",
}
# The line before each table names its paragraph.
PARAGRAPH_OF_TABLE = {
    "The project's paragraph": "project",
    "The notes' paragraph": "notes",
    "이 실습용 문단": "project",
    "노트의 문단": "notes",
}


def measured():
    """(paragraph, variant label) → that variant's summary, from every results file."""
    found = {}
    for path in RESULTS:
        if path.exists():
            for variant in json.loads(path.read_text(encoding="utf-8"))["variants"]:
                found[variant["paragraph"], variant["variant"]] = variant
    return found


def expected_cells(summary):
    """The four cells a row quotes: recited, updates to recite, model learnt, per seed."""
    updates = summary["updates_to_recite"]
    spread = f"{updates['median']:,g} ({updates['min']:,}–{updates['max']:,})" if updates else "—"
    per_seed = ", ".join(
        f"{row['updates']:,}" if row["exact"] else f"✗ {row['correct_prefix']}" for row in summary["per_seed"]
    )
    runs = summary["seeds_run"]
    return [f"{summary['successes']}/{runs}", spread, f"{summary['model_learnt']}/{runs}", per_seed]


def quoted_rows(page):
    """(paragraph, row name, cells) for each row of the page's exercise tables."""
    rows, paragraph = [], None
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = next((name for prefix, name in PARAGRAPH_OF_TABLE.items() if line.startswith(prefix)), None)
        if heading:
            paragraph = heading
        elif paragraph and line.startswith("| ") and not line.startswith("| faults") and "---" not in line:
            cells = [cell.strip().strip("*") for cell in line.strip().strip("|").split("|")]
            if cells[0] in ROW_NAMES:
                rows.append((paragraph, cells[0], cells[1:]))
        elif paragraph and not line.startswith("|") and line.strip() and rows and rows[-1][0] == paragraph:
            paragraph = None  # the table has ended
    return rows


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_row_quotes_the_results_file(page):
    results, rows = measured(), quoted_rows(page)
    assert len(rows) >= 12, f"{page.name}: expected the two exercise tables, found {len(rows)} rows"
    for paragraph, name, cells in rows:
        summary = results[paragraph, ROW_NAMES[name]]
        assert cells == expected_cells(summary), f"{page.name}, {paragraph}, {name}"


def test_the_check_catches_a_wrong_digit():
    summary = dict(
        successes=1,
        seeds_run=2,
        model_learnt=1,
        updates_to_recite=dict(median=775, min=775, max=775),
        per_seed=[
            dict(exact=False, correct_prefix=22, updates=2000),
            dict(exact=True, correct_prefix=871, updates=775),
        ],
    )
    assert expected_cells(summary) == ["1/2", "775 (775–775)", "1/2", "✗ 22, 775"]
    assert expected_cells({**summary, "successes": 2}) != ["1/2", "775 (775–775)", "1/2", "✗ 22, 775"]
