"""Documents the SOP's steps call for: what each one is — template, default addressee, copies,
fields and their rules — declared once (`catalogue`, on the SOP's steps), the directory of
Divisions and addressees, the fields a template needs (`letterfields`), a letter's context
(`context`: its values, `sender`, `addressees`), sandboxed rendering of the Word templates
(`letters`, `sandbox`), their checks (`templatecheck`), PDF conversion (`pdf`) and making one
into a case (`docmaker`)."""

from pathlib import Path

_HERE = Path(__file__).resolve().parent

# The Word templates: the user's templates/ folder beside pipeline/ (a clone, an editable
# install), else the copy a built wheel carries in pipeline/documents/templates (setup.py copies
# templates/ there at build time). An archive may name its own folder ([documents] templates).
TEMPLATES_DIR = next(
    (d for d in (_HERE.parents[1] / "templates", _HERE / "templates")
     if (d / "case-summary.html.j2").is_file()),
    _HERE / "templates",
)
