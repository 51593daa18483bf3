"""The Starlette application: pages, form posts, and the web app's error boundary.

Like `cli.py` for the command line, this is the only place where a `RoutineCardError`
becomes something a person reads (a page, or problems beside form fields). Cards are
never built here: every build is a job for `engine.py`, run by the bounded pool.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import secrets
import traceback
from pathlib import Path
from typing import Any, AsyncIterator

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from routinecard.errors import Problem, RoutineCardError
from routinecard.serve import engine
from routinecard.serve.config import ServeConfig
from routinecard.serve.form import (
    DOSE_FIELDS,
    DOSE_LABELS,
    SIDES,
    FormState,
    PatientText,
    from_patient,
    from_request,
    new_form,
    place_problems,
    suggested_file_name,
    to_yaml,
)
from routinecard.serve.library import FILE_NAME, Library, NotInLibrary
from routinecard.serve.pool import BuildPool, Busy, Superseded
from routinecard.serve.security import BodyTooLarge, guard

log = logging.getLogger("routinecard.serve")

LANGUAGE_NAMES = {"en": "English", "es": "Español (Spanish)", "fr": "Français (French)", "pt": "Português",
                  "de": "Deutsch (German)"}


def slot(key: str) -> str:
    """An element id for a form field's problem slot (ids with dots break CSS selectors)."""
    return "err-" + key.replace(".", "--").replace("_", "-")


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("routinecard.serve", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(slot=slot, DOSE_FIELDS=DOSE_FIELDS, DOSE_LABELS=DOSE_LABELS, SIDES=SIDES,
                       language_name=lambda code: LANGUAGE_NAMES.get(code, code))
    return env


def fit_words(percent: int | None, layout: str) -> str:
    """'Fits on one letter page, with the type at 86% of its largest size.'"""
    if percent is None:
        return ""
    return f"Fits on one {layout} page, with the type at {percent}% of its largest size."


class App:
    """The routes, with the library, the pool and the templates they share."""

    def __init__(self, config: ServeConfig, pool: BuildPool | None = None) -> None:
        self.config = config
        self.library = Library(config.library)
        self.pool = pool or BuildPool(config.workers, config.queue_limit)
        self.env = _templates()
        self.thumbs: dict[tuple[str, float], bytes] = {}

    # -- helpers ------------------------------------------------------------------------------
    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        from routinecard.layouts import builtin_layouts

        context.setdefault("layouts", sorted(builtin_layouts()))
        html = self.env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status)

    async def form_of(self, request: Request) -> tuple[FormState, FormData]:
        form = await request.form(max_files=0, max_fields=600, max_part_size=self.config.max_body)
        data = {key: value for key, value in form.items() if isinstance(value, str)}
        lists = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form.keys()}
        return from_request(data, lists, self.library), form

    def draft_path(self, state: FormState) -> Path:
        name = state.file_name or suggested_file_name(state)
        if not FILE_NAME.match(name):
            name = suggested_file_name(state)
        return self.library.patient(name, existing=False)

    def editor_context(self, state: FormState, **more: Any) -> dict[str, Any]:
        routine = self.library.routine(state.routine)
        return dict(state=state, routine=routine, translation=routine.translation(state.language),
                    clinics=self.library.clinic_titles(), suggested=suggested_file_name(state),
                    patients=self.library.patient_names(), **more)

    async def build(self, state: FormState, want: engine.Kind, key: str | None) -> tuple[engine.Outcome, PatientText]:
        text = to_yaml(state)
        job = engine.DraftJob(text.text, str(self.draft_path(state)), want, self.config.preview_dpi)
        outcome: engine.Outcome = await self.pool.submit(engine.build_draft, job, key=key)
        return outcome, text

    # -- pages ------------------------------------------------------------------------------------
    async def library_page(self, request: Request) -> Response:
        region = request.query_params.get("region", "")
        language = request.query_params.get("language", "")
        routines = [r for r in self.library.routines()
                    if (not region or region in r.regions) and (not language or language in r.translations)]
        return self.page(request, "library.html", routines=routines, regions=self.library.regions(),
                         languages=self.library.languages(), region=region, language=language,
                         patients=self.library.patient_names(), broken=self.library.broken())

    async def thumbnail(self, request: Request) -> Response:
        routine = self.library.routine(request.path_params["routine"])
        translation = routine.translation(request.path_params["language"])
        key = (str(translation.file), translation.file.stat().st_mtime)
        png = self.thumbs.get(key)
        if png is None:
            try:
                png = await self.pool.submit(engine.thumbnail, str(translation.file))
            except Busy:
                return Response(status_code=503, headers={"Retry-After": "2"})
            self.thumbs[key] = png
        if not png:
            raise HTTPException(404, "this routine does not build; see the Library page")
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=60"})

    async def customise_page(self, request: Request) -> Response:
        opened = request.query_params.get("open", "")
        if opened:
            state = self.open_patient(opened)
        else:
            routines = self.library.routines()
            if not routines:
                raise NotInLibrary(Problem("the library has no routines: add a card to cards/"))
            chosen = request.query_params.get("routine", routines[0].id)
            state = new_form(self.library.routine(chosen), request.query_params.get("language"))
        return self.page(request, "customise.html", key=secrets.token_urlsafe(12), **self.editor_context(state))

    def open_patient(self, name: str) -> FormState:
        from routinecard.prepare import load_input
        from routinecard.loader import load_yaml_file

        path = self.library.patient(name)
        document = load_yaml_file(path)
        load_input((document, path))  # the whole file must be valid, like `routinecard check`
        if not isinstance(document.data, dict):
            raise NotInLibrary(Problem(f"{name} is not a patient file"))
        return from_patient(document.data, self.library, name)

    async def editor(self, request: Request) -> Response:
        """The form again, for a new language (the routine's own translation) or after
        'apply to all points'."""
        state, _ = await self.form_of(request)
        template = self.env.get_template("_editor.html")
        return HTMLResponse(template.render(request=request, **self.editor_context(state)))

    async def preview(self, request: Request) -> Response:
        state, form = await self.form_of(request)
        key = str(form.get("key", "")) or None
        try:
            outcome, text = await self.build(state, "png", key)
        except Superseded:
            return Response(status_code=204)
        except Busy:
            return self.fragment("_preview.html", busy=True, state=state, by_field={}, general=[], fields=self.fields(state),
                                 suggested=suggested_file_name(state))
        by_field, general = place_problems(outcome.problems, state, text, outcome.draft_file)
        image = base64.b64encode(outcome.data).decode() if outcome.ok else ""
        return self.fragment("_preview.html", state=state, image=image, fit=fit_words(outcome.fit_percent, outcome.layout),
                             by_field=by_field, general=general, fit_failed=outcome.fit_failed, busy=False,
                             fields=self.fields(state), suggested=suggested_file_name(state),
                             title=self.library.routine(state.routine).translation(state.language).title)

    def fields(self, state: FormState) -> list[str]:
        names = ["patient", "clinician", "date", "clinic", "layout", "language", "notes", "urgent", "soon", "points",
                 "routine", "file_name"]
        for point in state.points:
            names += [f"{name}.{point.id}" for name in DOSE_FIELDS] + [f"side.{point.id}"]
        return names

    def fragment(self, name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**context))

    async def download(self, request: Request) -> Response:
        state, form = await self.form_of(request)
        try:
            outcome, text = await self.build(state, "pdf", None)
        except Busy:
            return self.page(request, "error.html", 503, title="Busy",
                             problems=["Many cards are being made right now. Wait a few seconds and try again."])
        if not outcome.ok:
            by_field, general = place_problems(outcome.problems, state, text, outcome.draft_file)
            return self.page(request, "customise.html", 422, key=str(form.get("key", "")), by_field=by_field,
                             general=general, **self.editor_context(state))
        name = (state.file_name or suggested_file_name(state)).rsplit(".", 1)[0] + ".pdf"
        return Response(outcome.data, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def save(self, request: Request) -> Response:
        state, _ = await self.form_of(request)
        name = state.file_name or suggested_file_name(state)
        if not FILE_NAME.match(name):
            return self.fragment("_saved.html", error="A file name is letters, digits, '-', '_' or '.', ending in .yaml.")
        path = self.library.patient(name, existing=False)
        if path.exists() and state.opened != name:
            return self.fragment("_saved.html", error=f"patients/{name} already exists. Choose another file name, "
                                 "or open that file first to change it.")
        outcome, text = await self.build(state, "pdf", None)
        if not outcome.ok:
            return self.fragment("_saved.html", error="Not saved: fix the problems shown beside the fields first.")
        from routinecard.write import write_atomic

        write_atomic(path, text.text.encode("utf-8"))
        return self.fragment("_saved.html", saved=f"patients/{name}", opened=name)

    async def stack_page(self, request: Request) -> Response:
        return self.page(request, "stack.html", routines=self.library.routines())

    async def stack_pdf(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=400, max_part_size=self.config.max_body)
        chosen = [str(v) for v in form.getlist("card")]
        layout = str(form.get("layout", "letter"))
        from routinecard.layouts import builtin_layouts

        try:
            copies = int(str(form.get("copies", "1")))
        except ValueError:
            copies = 0
        problems: list[str] = []
        if not chosen:
            problems.append("Tick at least one routine.")
        if layout not in builtin_layouts():
            problems.append(f"Unknown layout {layout!r}.")
        if not 1 <= copies <= self.config.max_copies:
            problems.append(f"Copies must be a whole number from 1 to {self.config.max_copies}.")
        files: list[str] = []
        for value in chosen:
            routine_id, _, language = value.partition(":")
            files.append(str(self.library.routine(routine_id).translation(language).file))
        if problems:
            return self.page(request, "stack.html", 422, routines=self.library.routines(), problems=problems)
        try:
            outcome: engine.StackOutcome = await self.pool.submit(engine.build_stack, engine.StackJob(tuple(files), layout, copies))
        except Busy:
            return self.page(request, "error.html", 503, title="Busy", problems=["Many cards are being made right now. Try again in a few seconds."])
        if outcome.problems:
            return self.page(request, "stack.html", 422, routines=self.library.routines(),
                             problems=[str(p) for p in outcome.problems])
        return Response(outcome.data, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="stack-{layout}.pdf"'})

    async def status(self, request: Request) -> Response:
        stats = self.pool.stats
        return JSONResponse({"workers": stats.workers, "queue_limit": stats.queue_limit, "queued": stats.queued,
                             "running": stats.running, "done": stats.done, "superseded": stats.superseded,
                             "refused": stats.refused, "failed": stats.failed})

    # -- the error boundary ---------------------------------------------------------------------
    async def not_in_library(self, request: Request, error: Exception) -> Response:
        problems = [p.message for p in error.problems] if isinstance(error, RoutineCardError) else [str(error)]
        return self.page(request, "error.html", 404, title="Not in the library", problems=problems)

    async def input_error(self, request: Request, error: Exception) -> Response:
        problems = [str(p) for p in error.problems] if isinstance(error, RoutineCardError) else [str(error)]
        return self.page(request, "error.html", 400, title="This file has problems", problems=problems)

    async def http_error(self, request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        detail = error.detail if isinstance(error, HTTPException) else ""
        headers = dict(error.headers or {}) if isinstance(error, HTTPException) else {}
        response = self.page(request, "error.html", status, title=detail or "Not found", problems=[])
        response.headers.update(headers)
        return response

    async def too_large(self, request: Request, error: Exception) -> Response:
        return self.page(request, "error.html", 413, title="Too large",
                         problems=[f"The form sent more than {self.config.max_body // 1024} KiB. Shorten the notes."])

    async def server_error(self, request: Request, error: Exception) -> Response:
        # The message may quote form data (a patient's name): log where it failed, not what it said.
        where = "".join(traceback.format_tb(error.__traceback__))
        log.error("internal error %s on %s %s\n%s", type(error).__name__, request.method, request.url.path, where)
        return self.page(request, "error.html", 500, title="Something went wrong",
                         problems=["routinecard could not finish this request. Nothing was saved. "
                                   "Try again; if it happens again, tell whoever looks after routinecard."])


def create_app(config: ServeConfig, pool: BuildPool | None = None) -> Starlette:
    """The ASGI application for `routinecard serve` (tests and the benchmark use it too)."""
    app = App(config, pool)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await app.pool.start()
        try:
            yield
        finally:
            await app.pool.stop()

    routes = [
        Route("/", app.library_page),
        Route("/thumb/{routine}/{language}.png", app.thumbnail),
        Route("/customise", app.customise_page),
        Route("/customise/editor", app.editor, methods=["POST"]),
        Route("/customise/preview", app.preview, methods=["POST"]),
        Route("/customise/pdf", app.download, methods=["POST"]),
        Route("/customise/save", app.save, methods=["POST"]),
        Route("/stack", app.stack_page),
        Route("/stack", app.stack_pdf, methods=["POST"]),
        Route("/status", app.status),
        Mount("/static", StaticFiles(packages=[("routinecard.serve", "static")]), name="static"),
    ]
    handlers = {
        NotInLibrary: app.not_in_library,
        BodyTooLarge: app.too_large,
        RoutineCardError: app.input_error,
        HTTPException: app.http_error,
        Exception: app.server_error,
    }
    starlette = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    starlette.state.app = app
    return guard(starlette, config)  # type: ignore[return-value]
