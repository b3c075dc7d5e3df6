"""The build step pyproject.toml cannot say: a wheel carries a copy of the Word templates.

The top-level templates/ folder stays the user's (the Division edits it in Word); a built wheel,
as `pip install .` makes, gets a copy in pipeline/documents/templates, where
pipeline.documents.TEMPLATES_DIR finds it when there is no templates/ beside pipeline/.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("*.docx", "*.j2", "README.md")


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads templates/ itself
        target = Path(self.build_lib) / "pipeline" / "documents" / "templates"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in SHIPPED:
            for source in sorted(Path("templates").glob(pattern)):
                shutil.copy2(source, target / source.name)


setup(cmdclass={"build_py": BuildPyWithTemplates})
