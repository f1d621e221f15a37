"""Figures with Korean text: drawn with an installed Hangul font, or one line saying what to install."""

import warnings

import gatedrnn.figures as figures


def korean_figure(plt):
    figure, ax = plt.subplots()
    ax.set_title("기울기 소실과 폭발 (vanishing and exploding gradients)")
    ax.text(0.5, 0.5, "은닉 상태 h, 기억 셀 c", family=figures.monospace_family())
    return figure


def test_korean_text_is_drawn_or_explained(tmp_path, capsys):
    plt = figures.pyplot()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures.save_figure(korean_figure(plt), tmp_path / "korean.png")
    assert (tmp_path / "korean.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    leaked = [w for w in caught if "missing from font" in str(w.message)]
    assert not leaked  # matplotlib's per-glyph warnings never reach the user
    err = capsys.readouterr().err
    if figures.cjk_font() is not None:
        assert "no glyph" not in err  # the installed font drew every character
    else:
        assert err.count("fonts-noto-cjk or fonts-nanum") == 1


def test_without_a_hangul_font_the_hint_is_one_line(tmp_path, capsys, monkeypatch):
    import matplotlib

    monkeypatch.setattr(figures, "_missing_reported", False)
    plt = figures.pyplot()
    # Only DejaVu: as on a machine with no Hangul font installed.
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])
    monkeypatch.setattr(figures, "cjk_font", lambda: None)
    figures.save_figure(korean_figure(plt), tmp_path / "a.png")
    figures.save_figure(korean_figure(plt), tmp_path / "b.png")
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1 and "show as boxes" in lines[0] and "fonts-nanum" in lines[0]
