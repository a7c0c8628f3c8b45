import pytest

from sagent.dsl import DslError, ast, parse


def only_error(source: str):
    with pytest.raises(DslError) as info:
        parse(source)
    assert len(info.value.diagnostics) == 1
    return info.value.diagnostics[0], str(info.value)


def test_parses_assignments_calls_keywords_lists_and_units():
    program = parse('a = objects("chair")  # comment\n'
                    "d = distance(a,\n    objects('sofa'))\n"
                    'answer compare(to(d, "cm"), ">", 1.5m); \n')
    first, second, last = program.statements
    assert first == ast.Assign(1, 1, 1, "a", ast.Call(1, 5, 7, "objects", (ast.String(1, 13, 7, "chair"),), ()))
    assert isinstance(second.value, ast.Call) and second.value.args[1].op == "objects"
    assert isinstance(last, ast.Answer)
    quantity = last.value.args[2]
    assert (quantity.value, quantity.unit, quantity.line, quantity.column) == (1.5, "m", 4, 34)


def test_statements_may_be_separated_by_semicolons():
    program = parse('x = 2; answer x')
    assert [type(s).__name__ for s in program.statements] == ["Assign", "Answer"]


@pytest.mark.parametrize("source, line, column, words", [
    ("a = ", 1, 5, "ends too early"),
    ('a = objects("chair"\nanswer a', 2, 1, "unexpected"),
    ("answer f(1,,2)", 1, 12, "unexpected ','"),
    ("x = 3 $", 1, 7, "unexpected character '$'"),
    ('x = "unterminated\nanswer x', 1, 5, "unexpected character"),
    ("answer = 3", 1, 8, "unexpected '='"),
])
def test_syntax_errors_have_place_caret_and_expectation(source, line, column, words):
    diagnostic, text = only_error(source)
    assert (diagnostic.kind, diagnostic.line, diagnostic.column) == ("syntax", line, column)
    assert words in diagnostic.message and "expected" in diagnostic.message
    caret_line = text.splitlines()[2]
    assert caret_line.index("^") == 4 + column - 1


def test_unknown_unit_lists_the_units():
    diagnostic, _ = only_error("answer 3kg")
    assert diagnostic.kind == "unit"
    assert "unknown unit 'kg'" in diagnostic.message and "cm" in diagnostic.message


def test_empty_program():
    diagnostic, _ = only_error("  \n ")
    assert "empty" in diagnostic.message


def test_render_expr_round_trips():
    source = 'answer nearest([objects("a \\"b\\""), objects("c")], objects("d"), k=2.5cm)'
    expr = parse(source).statements[0].value
    assert parse("answer " + ast.render_expr(expr)).statements[0].value.args == expr.args
