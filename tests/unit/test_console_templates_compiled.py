"""The console compiles every page template of every language at start (a worker, off the event loop), so that
the first pages after a start do not each wait for their templates' compilation."""

from __future__ import annotations

import asyncio

from mitra_console.bootstrap import build_spec
from mitra_console.http.web.i18n import LANGUAGES, Languages
from mitra_console.workers.templates import TemplateWarmUp


def test_every_page_template_of_every_language_is_compiled_ahead() -> None:
    languages = Languages()
    pages = sorted(path.name for path in languages.templates.rglob("*.html"))
    assert pages, "no templates found"
    assert languages.compile_all() == len(pages) * len(LANGUAGES)
    for env in languages.environments.values():
        assert env.cache is not None
        assert len(env.cache) >= len(pages)  # each compiled once, kept: a page renders without compiling


def test_the_console_starts_the_warm_up_with_its_workers() -> None:
    spec = build_spec()
    made = [make(None) for make in spec.workers[1:]]  # type: ignore[arg-type]  # the warm-up needs no resources
    assert any(isinstance(worker, TemplateWarmUp) for worker in made)
    asyncio.run(made[0].start())
