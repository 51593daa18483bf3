"""`routinecard serve`: a local web app for clinicians who do not write YAML.

One more front end on the same prepare -> compose -> fit -> render path as the command
line (see `engine.py`): the form becomes a patient file, and that file is built.
Needs the `serve` extra: `pip install routinecard[serve]`.

Modules: `config` (command-line choices and their checks), `security` (password, host,
origin, body size, access log), `library` (the folders a request may reach), `form`
(the form <-> the patient file), `pool` (bounded builders with a queue), `engine` (the
jobs, through the library API), `app` (routes, pages and the error boundary),
`server` (running it with uvicorn).
"""
