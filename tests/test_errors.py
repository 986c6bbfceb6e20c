"""Every error wparchive prints, as a user meets it (docs/errors.md names these tests).

An error is exit code 2, one ``Error:`` line saying what went wrong and where, a
``Hint:`` line saying what to do, and never a traceback. A warning is a ``warning:`` line;
one that means something was lost makes the exit code 1. `wparchive verify` prints
``problem:`` lines and exits 1. The other errors are produced by the tests docs/errors.md
names beside these (test_faults, test_rest, test_hostile_input...).
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner
from warcio.warcwriter import WARCWriter
from werkzeug import Request, Response

import wparchive.cli
import wparchive.sources.wxr as wxr_module
from wparchive import bulk, resume
from wparchive.cli import app
from wparchive.export.run import ExportError, output_path
from wparchive.pipeline import ArchiveOptions, SourceError, run_archive
from wparchive.sinks.media import MediaFetcher
from wparchive.sources.wxr import WxrReader

from .test_rest import FakeWordPress, clean_env, fake_post  # noqa: F401 - clean_env: a fixture
from .test_wxr_reader import item, wxr

runner = CliRunner()
WP11 = "http://wordpress.org/export/1.1/"


# -- what a user sees --------------------------------------------------------------------


def cli(*args: object, **kwargs: Any) -> Result:
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def shape(line: str, template: str) -> bool:
    """Whether ``line`` is ``template``, where each ``…`` stands for any text."""
    pattern = ".*".join(re.escape(part) for part in template.split("…"))
    return re.fullmatch(pattern, line) is not None


def assert_error(result: Result, message: str, hint: str | None = None) -> None:
    """Exit code 2, exactly one ``Error:`` line of this shape, the hint, no traceback."""
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert shape(errors[0], f"Error: {message}"), (errors[0], message)
    hints = [line for line in output.splitlines() if line.startswith("Hint:")]
    if hint is None:
        assert not hints, output
    else:
        assert len(hints) == 1 and shape(hints[0], f"Hint: {hint}"), (hints, hint)


def warnings_of(result: Result) -> list[str]:
    prefix = "warning: "
    return [line.removeprefix(prefix) for line in result.output.splitlines() if prefix in line]


def assert_warning(result: Result, message: str, exit_code: int) -> None:
    """The run finished (0, or 1 when the warning means something was lost) and said so."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert any(shape(w, message) for w in warnings_of(result)), (message, result.output)


def archive(source: object, out: Path, *options: object, **kwargs: Any) -> Result:
    return cli("archive", source, "--out", out, "-q", "--jobs", "1", *options, **kwargs)


def export_file(tmp_path: Path, body: str, name: str = "e.xml", **kwargs: Any) -> Path:
    path = tmp_path / name
    path.write_text(wxr(body, **kwargs), encoding="utf-8")
    return path


NOT_WXR = "check the path, and that the file is a WordPress export (WXR)."
OPTIONS_HINT = "`wparchive archive --help` lists the options and the values they take."
RESUME_HINT = (
    "--resume carries on an interrupted run of the same source with the same options; "
    "without --resume the run starts afresh."
)
EXPORT_HINT = (
    "export the site as WXR instead (wp-admin → Tools → Export → All content) and run "
    "`wparchive archive` on that file, or ask the site's owner to let your user or "
    "address through"
)


# -- reading an export ------------------------------------------------------------------------


def test_a_missing_export_file(tmp_path):
    result = archive(tmp_path / "nope.xml", tmp_path / "out")
    assert_error(result, f"{tmp_path / 'nope.xml'}: no such file", NOT_WXR)


def test_an_export_that_cannot_be_opened(tmp_path, monkeypatch):
    export = export_file(tmp_path, item(1))

    def refuse(path: Any, mode: str = "r") -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(wxr_module, "open", refuse, raising=False)
    result = archive(export, tmp_path / "out")
    assert_error(result, f"cannot open {export}: Permission denied", NOT_WXR)


def test_a_damaged_gzip_export(tmp_path):
    export = tmp_path / "e.xml.gz"
    export.write_bytes(b"<?xml version='1.0'?> not gzip at all")
    result = archive(export, tmp_path / "out")
    assert_error(result, f"cannot read {export}: Not a gzipped file (…)", NOT_WXR)


def test_a_file_that_is_not_a_wxr_export(tmp_path):
    page = tmp_path / "page.xml"
    page.write_text("<html><body>hello</body></html>")
    result = archive(page, tmp_path / "out")
    message = "page.xml: This does not appear to be a WXR file, missing/invalid WXR version number"
    assert_error(result, message, NOT_WXR)


def test_an_empty_file_is_not_well_formed_xml(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    assert_error(archive(empty, tmp_path / "out"), "empty.xml:0: not well-formed XML: …", NOT_WXR)


def test_strict_turns_a_repair_into_an_error(tmp_path):
    export = export_file(tmp_path, item(1, title="a\x07b"))
    result = archive(export, tmp_path / "out", "--strict")
    assert_error(result, "e.xml:9: control character U+0007 replaced by a space", NOT_WXR)
    broken = export_file(tmp_path, item(1, title="a & b"), name="broken.xml")
    result = archive(broken, tmp_path / "out", "--strict")
    assert_error(result, "broken.xml:9: not well-formed XML: xmlParseEntityRef: no name…", NOT_WXR)


@pytest.fixture
def one_mb_items(monkeypatch):
    """The reader's limit for one item (32 MB) lowered to 1 MB, so a test stays small."""
    monkeypatch.setitem(WxrReader.__init__.__kwdefaults__, "max_item_bytes", 1 << 20)


def test_megabytes_of_text_outside_the_items_are_refused(tmp_path, one_mb_items):
    export = tmp_path / "e.xml"
    huge = "<description>" + "x" * (2 << 20) + "</description>"
    export.write_text(wxr(huge + item(1)))
    result = archive(export, tmp_path / "out")
    message = (
        "e.xml:9: more than 1 MB without any markup outside the items: too big to read, "
        "and not what WordPress exports"
    )
    assert_error(result, message, NOT_WXR)


def test_an_item_too_big_to_hold_is_skipped_and_lost(tmp_path, one_mb_items):
    big = item(2, title="Giant").replace("<p>Body 2</p>", "x" * (2 << 20))
    export = export_file(tmp_path, item(1) + "\n" + big + "\n" + item(3))
    message = (
        "e.xml:10: the item starting here (post 2, 'Giant') is bigger than 1 MB, the most "
        "wparchive reads into memory for one post: skipped"
    )
    assert_warning(archive(export, tmp_path / "out"), message, exit_code=1)


def test_a_file_cut_inside_an_item_loses_that_item(tmp_path):
    text = wxr(item(1) + "\n" + item(2, title="Cut"))
    export = tmp_path / "cut.xml"
    export.write_text(text[: text.index("<wp:post_id>2") + 30])
    message = (
        "cut.xml:10: the file ends inside the item starting here (post 2, 'Cut'): "
        "skipped as incomplete"
    )
    assert_warning(archive(export, tmp_path / "out"), message, exit_code=1)


def test_a_file_cut_after_the_parser_gave_up_loses_the_rest(tmp_path):
    deep = "<item><wp:post_id>2</wp:post_id>" + "<x>" * 5000 + "</x>" * 5000 + "</item>\n"
    text = wxr(item(1) + "\n" + deep + item(3))
    export = tmp_path / "cut.xml"
    export.write_text(text[: text.index("<wp:post_id>3")])
    result = archive(export, tmp_path / "out")
    message = "cut.xml:11: the file ends inside the item starting here: skipped"
    assert_warning(result, message, exit_code=1)
    message = (
        "cut.xml:10: the XML parser gave up here (Excessive depth in document: 2048): "
        "nothing from this line on was read"
    )
    assert_warning(result, message, exit_code=1)


def test_records_without_what_identifies_them_are_skipped_and_lost(tmp_path):
    body = (
        "<wp:author><wp:author_display_name>Anon</wp:author_display_name></wp:author>"
        "<wp:category><wp:cat_name>No slug</wp:cat_name></wp:category>"
        "<wp:tag><wp:tag_name>No slug</wp:tag_name></wp:tag>"
        "<wp:term><wp:term_name>No taxonomy</wp:term_name></wp:term>\n"
        "<item><title>Lonely</title><wp:post_type>post</wp:post_type></item>" + item(1)
    )
    result = archive(export_file(tmp_path, body), tmp_path / "out")
    for message in (
        "e.xml: author without a login skipped",
        "e.xml: category without a taxonomy or slug skipped",
        "e.xml: tag without a taxonomy or slug skipped",
        "e.xml: term without a taxonomy or slug skipped",
        "e.xml:10: item 'Lonely' without a post id skipped",
    ):
        assert_warning(result, message, exit_code=1)


def test_repairs_are_warnings_and_lose_nothing(tmp_path):
    old = item(1).replace("<p>Body 1</p>", "<p>a ]]> b</p>")
    result = archive(export_file(tmp_path, old, wp=WP11, version="1.1"), tmp_path / "out")
    assert_warning(
        result, "e.xml:9: unescaped ']]>' (written by WXR before 1.2) kept as text", exit_code=0
    )
    result = archive(export_file(tmp_path, item(1, title="a & b")), tmp_path / "out")
    assert_warning(
        result, "e.xml:9: recovered from XML error: xmlParseEntityRef: no name", exit_code=0
    )
    result = archive(export_file(tmp_path, item(1) + "\n" + item(1, "Again")), tmp_path / "out")
    assert_warning(result, "e.xml:10: post id 1 appears again here; both copies kept", exit_code=0)


def test_only_the_first_20_repairs_are_listed(tmp_path):
    export = export_file(tmp_path, item(1, title="\x07".join("abcdefghijklmnopqrstuvwxyz")))
    result = archive(export, tmp_path / "out")
    assert_warning(result, "e.xml:9: control character U+0007 replaced by a space", exit_code=0)
    assert len(warnings_of(result)) == 21
    assert warnings_of(result)[-1] == "e.xml: more repairs of the same kinds made; not listed"


def test_a_split_export_of_two_sites_is_merged_with_a_warning(tmp_path):
    first = export_file(tmp_path, item(1), name="a.xml")
    other = wxr(item(2)).replace("https://example.org", "https://other.example")
    second = tmp_path / "b.xml"
    second.write_text(other)
    result = archive(first, tmp_path / "out", "--", second)
    message = "export of another site (https://other.example) merged into https://example.org"
    assert_warning(result, message, exit_code=0)


# -- options and usage ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["archive"], "Missing argument 'sources'."),
        (["archive", "x.xml", "--no-such-option"], "No such option: --no-such-option"),
        (
            ["archive", "x.xml", "--warc-max-size", "1ZB"],
            "Invalid value: '1ZB' is not a size like 1GB, 500MB or 100000",
        ),
        (["archive", "x.xml", "--gzip-level", "12"], "Invalid value for '--gzip-level'"),
    ],
    ids=["missing argument", "unknown option", "size", "out of range"],
)
def test_usage_errors_are_boxed_by_the_command_line_parser(args, message):
    result = cli(*args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in " ".join(result.output.replace("│", " ").split()), result.output
    assert "archive --help' for help." in result.output  # (under pytest the program is "root")


@pytest.mark.parametrize(
    ("options", "message", "hint"),
    [
        (["--digest", "md5"], "--digest must be one of sha1, sha256", OPTIONS_HINT),
        (
            ["--rewrite", "elsewhere"],
            "--rewrite 'elsewhere': use relative, none, or base=URL (e.g. base=https://new.example)",
            OPTIONS_HINT,
        ),
        (
            ["--media-hosts", "http://:80/"],
            "--media-hosts 'http://:80/': not a host name (use e.g. i0.wp.com or "
            "*.files.wordpress.com)",
            OPTIONS_HINT,
        ),
        (
            ["--keep", "nope"],
            "unknown rule family nope; known: addtoany, akismet, …",
            "`wparchive rules` lists the rule families.",
        ),
        (["--l10n", "/no/such/folder"], "--l10n /no/such/folder: not a directory", OPTIONS_HINT),
        (["--no-warc", "--cdxj"], "--cdxj needs WARC files: drop --no-warc", OPTIONS_HINT),
    ],
    ids=["digest", "rewrite", "media-hosts", "keep", "l10n", "cdxj without warc"],
)
def test_an_option_value_wparchive_cannot_use(tmp_path, options, message, hint):
    result = archive(export_file(tmp_path, item(1)), tmp_path / "out", *options)
    assert_error(result, message, hint)


def test_a_site_url_and_export_files_together(tmp_path):
    result = archive("https://example.org/", tmp_path / "out", "--", export_file(tmp_path, ""))
    assert_error(result, "name one site URL, or export files, not both or several", NOT_WXR)


def test_the_python_api_without_a_source():
    with pytest.raises(SourceError, match="^no source given: name WXR export file"):
        run_archive([], ArchiveOptions())


# -- writing files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (errno.ENOSPC, "the disk is full: free some space, then run the same command again …"),
        (errno.EDQUOT, "the disk is full: free some space, then run the same command again …"),
        (errno.EFBIG, "the file reached the largest size allowed here (ulimit -f, …"),
        (errno.EACCES, "wparchive may not write there: choose another --out (or --to), …"),
        (errno.EROFS, "wparchive may not write there: choose another --out (or --to), …"),
        (errno.EIO, "run again with --debug to see where it happened."),
    ],
    ids=["no space", "quota", "file too large", "permission", "read-only", "other"],
)
def test_a_file_the_system_would_not_let_wparchive_write(tmp_path, monkeypatch, code, hint):
    where = tmp_path / "out" / "site" / "archive.jsonl.open"

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code), str(where))

    monkeypatch.setattr(wparchive.cli, "run_archive", fail)
    result = archive(export_file(tmp_path, item(1)), tmp_path / "out")
    assert_error(result, f"{os.strerror(code)}: {where}", hint)


def test_an_unforeseen_failure_is_one_sentence_without_a_traceback(tmp_path, monkeypatch):
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(wparchive.cli, "run_archive", fail)
    result = archive(export_file(tmp_path, item(1)), tmp_path / "out")
    message = "RuntimeError: something nobody expected"
    assert_error(result, message, "run again with --debug to see where it happened.")
    debug = archive(export_file(tmp_path, item(1)), tmp_path / "out", "--debug")
    assert isinstance(debug.exception, RuntimeError)  # --debug: the traceback, for a bug report


def test_ctrl_c_leaves_the_run_open_and_exits_130(tmp_path, monkeypatch):
    def interrupt(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(wparchive.cli, "run_archive", interrupt)
    result = archive(export_file(tmp_path, item(1)), tmp_path / "out")
    assert result.exit_code == 130
    output = " ".join(result.output.split())  # rich wraps long lines
    assert (
        "Interrupted. The archive was left as *.open (incomplete): "
        "run the same command with --resume to carry it on." in output
    )


# -- a live site: a fake WordPress ----------------------------------------------------------------

Handler = Callable[[Request], "Response | None"]


@dataclass
class Faulty(FakeWordPress):
    """The fake WordPress of test_rest, with any API route answered otherwise."""

    routes: dict[str, Handler] = field(default_factory=dict)

    def handle(self, request: Request) -> Response:
        route = request.path[len("/wp-json") :] if request.path.startswith("/wp-json") else None
        handler = self.routes.get(route or "")
        answer = handler(request) if handler is not None else None
        if answer is not None:
            self.log.append((request.full_path, request.headers.get("Authorization")))
            return answer
        return super().handle(request)


def json_answer(data: Any, status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(data), status, headers, content_type="application/json")


def wp_error(code: str, message: str, status: int, **data: Any) -> Response:
    return json_answer(
        {"code": code, "message": message, "data": {"status": status, **data}}, status
    )


@pytest.fixture
def site(httpserver, clean_env) -> Faulty:  # noqa: F811 - clean_env is the fixture
    base = httpserver.url_for("/").rstrip("/")
    fake = Faulty(base=base, posts=[fake_post(base, 1)])
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return fake


def rest(site: Faulty, out: Path, *options: object, **kwargs: Any) -> Result:
    return archive(
        site.base + "/", out, "--no-pages", "--no-media", "--timeout", "5", *options, **kwargs
    )


def test_a_site_whose_api_has_no_wp_v2(site, tmp_path):
    site.index = lambda request: json_answer({"namespaces": ["oembed/1.0"]})
    result = rest(site, tmp_path)
    message = f"{site.base}/wp-json/: a REST API without the wp/v2 namespace (only oembed/1.0)"
    assert_error(result, message, EXPORT_HINT)


def test_a_collection_that_is_not_a_json_list(site, tmp_path):
    site.routes["/wp/v2/posts"] = lambda request: Response(
        "<html>hi</html>", content_type="text/html"
    )
    result = rest(site, tmp_path)
    message = (
        f"{site.base}/wp-json/wp/v2/posts?…: expected a JSON list from the REST API, got "
        "text/html (HTTP 200)"
    )
    assert_error(result, message, EXPORT_HINT)


def test_a_redirect_loop(site, tmp_path):
    site.front = lambda request: Response("", 302, {"Location": "/"})
    result = rest(site, tmp_path)
    assert_error(
        result, f"{site.base}/: more than 10 redirects", "check the address; " + EXPORT_HINT
    )


def test_a_redirect_to_another_kind_of_url(site, tmp_path):
    site.front = lambda request: Response("", 301, {"Location": "ftp://example.org/"})
    result = rest(site, tmp_path)
    assert_error(
        result, f"{site.base}/: redirects to a ftp URL", "check the address; " + EXPORT_HINT
    )


def test_a_user_without_an_application_password(site):
    with pytest.raises(SourceError) as error:
        run_archive(site.base + "/", ArchiveOptions(user="ann", pages=False))
    assert str(error.value) == "no application password for user 'ann'"
    assert error.value.hint == (  # type: ignore[attr-defined]
        "set WPARCHIVE_APP_PASSWORD, add a ~/.netrc entry for localhost, or run from a "
        "terminal to be asked for it"
    )


def test_credentials_the_site_refuses(site, tmp_path):
    site.me = lambda request: wp_error("incorrect_password", "The password is incorrect.", 401)
    result = rest(site, tmp_path, "--user", "ann", env={"WPARCHIVE_APP_PASSWORD": "pw pw"})
    message = (
        f"{site.base}/wp-json/ refused the credentials for 'ann' (incorrect_password: "
        "The password is incorrect.)"
    )
    hint = (
        "check the user name and the application password (Users → Profile → Application "
        "Passwords); the login password does not work here"
    )
    assert_error(result, message, hint)
    assert "pw pw" not in result.output


def test_credentials_the_server_drops_on_the_way(site, tmp_path):
    site.me = lambda request: wp_error("rest_not_logged_in", "You are not logged in.", 401)
    result = rest(site, tmp_path, "--user", "ann", env={"WPARCHIVE_APP_PASSWORD": "pw pw"})
    message = (
        f"credentials for 'ann' were sent, but {site.base}/wp-json/ answered as if none were "
        "(rest_not_logged_in): the user name or application password is wrong, …"
    )
    assert_error(result, message, "on Apache add `CGIPassAuth On` …")


def test_credentials_that_cannot_be_checked(site, tmp_path):
    site.me = lambda request: wp_error("rest_no_route", "No route.", 404)
    result = rest(site, tmp_path, "--user", "ann", env={"WPARCHIVE_APP_PASSWORD": "pw pw"})
    message = (
        f"{site.base}/wp-json/: could not check the credentials (users/me answered HTTP 404 "
        "rest_no_route); read as 'ann'"
    )
    assert_warning(result, message, exit_code=0)


def test_an_anonymous_run_says_what_it_cannot_see(site, tmp_path):
    message = (
        f"{site.base}/wp-json/: read anonymously: the REST API shows only published content "
        "(no drafts, private posts, pending comments or raw content); give an application "
        "password (WPARCHIVE_USER and WPARCHIVE_APP_PASSWORD, ~/.netrc or --user) to archive "
        "everything"
    )
    assert_warning(rest(site, tmp_path), message, exit_code=0)


def test_a_netrc_file_that_cannot_be_read(site, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine localhost\nsecret ann\n")  # no such netrc keyword
    monkeypatch.setenv("NETRC", str(netrc))
    message = (
        f"{site.base}/wp-json/: {netrc}: not readable as a .netrc file (NetrcParseError); ignored"
    )
    assert_warning(rest(site, tmp_path / "out"), message, exit_code=0)


def test_a_refused_parameter_is_dropped(site, tmp_path):
    def no_orderby(request: Request) -> Response | None:
        if "orderby" not in request.args:
            return None
        return wp_error(
            "rest_invalid_param",
            "Invalid parameter(s): orderby",
            400,
            params={"orderby": "orderby is not one of date, title."},
        )

    site.routes["/wp/v2/posts"] = no_orderby
    message = (
        f"{site.base}/wp-json/: post: the site refused the parameter(s) orderby (Invalid "
        "parameter(s): orderby); read without them"
    )
    assert_warning(rest(site, tmp_path), message, exit_code=0)


def test_a_user_who_may_not_read_everything(site, tmp_path):
    def public_only(request: Request) -> Response | None:
        if request.args.get("context") != "edit":
            return None
        return wp_error("rest_forbidden_context", "Sorry, you are not allowed to edit posts.", 403)

    site.routes["/wp/v2/posts"] = public_only
    result = rest(site, tmp_path, "--user", "ann", env={"WPARCHIVE_APP_PASSWORD": "pw pw"})
    message = (
        f"{site.base}/wp-json/: post: this user may not read everything here "
        "(rest_forbidden_context); read what the public sees"
    )
    assert_warning(result, message, exit_code=0)


def test_a_collection_the_site_will_not_give(site, tmp_path):
    site.routes["/wp/v2/comments"] = lambda request: wp_error("rest_no_route", "No route.", 404)
    message = (
        f"{site.base}/wp-json/: comments: not readable (HTTP 404 rest_no_route: No route.); "
        "left out"
    )
    assert_warning(rest(site, tmp_path), message, exit_code=0)


def test_types_the_site_will_not_list(site, tmp_path):
    site.routes["/wp/v2/types"] = lambda request: wp_error("rest_no_route", "No route.", 404)
    message = f"{site.base}/wp-json/: /wp/v2/types: not readable (HTTP 404); core types only"
    assert_warning(rest(site, tmp_path), message, exit_code=0)


def test_items_the_api_counts_but_does_not_show(site, tmp_path):
    def fewer(request: Request) -> Response | None:
        posts = [fake_post(site.base, i) for i in (1, 2, 3)]
        return json_answer(posts, **{"X-WP-Total": "5", "X-WP-TotalPages": "1"})

    site.routes["/wp/v2/posts"] = fewer
    message = (
        f"{site.base}/wp-json/: post: the API counts 5 but shows 3 to an anonymous reader "
        "(2 not readable)"
    )
    assert_warning(rest(site, tmp_path), message, exit_code=0)


def test_an_item_added_while_read_and_not_readable_by_id_is_lost(site, tmp_path):
    site.posts = [fake_post(site.base, i) for i in range(10, 260)]

    def shift(request: Request) -> Response | None:
        if "include" in request.args:
            return json_answer([])  # the site will not give it by id
        main_pass = "_fields" not in request.args  # (not the link index's first pass)
        if main_pass and request.args.get("page") == "2" and 5 not in {p["id"] for p in site.posts}:
            site.posts.append(fake_post(site.base, 5))  # everything after it shifts by one
        return None

    site.routes["/wp/v2/posts"] = shift
    result = rest(site, tmp_path, "--concurrency", "1")
    message = (
        f"{site.base}/wp-json/: post: 1 item(s) were added or moved while the collection was "
        "read and are not in the archive: ids 5"
    )
    assert_warning(result, message, exit_code=1)


def test_a_failed_attempt_that_a_retry_mended(site, tmp_path):
    failures = [wp_error("busy", "Busy.", 503)]
    failures[0].headers["Retry-After"] = "0"
    site.routes["/wp/v2/posts"] = lambda request: failures.pop() if failures else None
    message = (
        f"{site.base}/wp-json/: the site failed 1 attempt(s) on the way (HTTP 503 ×1); "
        "each was retried"
    )
    assert_warning(rest(site, tmp_path), message, exit_code=0)


def test_posts_by_unlisted_users_and_terms(site, tmp_path):
    site.posts = [{**fake_post(site.base, 1), "author": 7, "categories": [9]}]
    types = {"post": {"slug": "post", "rest_base": "posts", "taxonomies": ["category"]}}
    category = {"slug": "category", "rest_base": "categories", "types": ["post"]}
    site.routes["/wp/v2/types"] = lambda request: json_answer(types)
    site.routes["/wp/v2/taxonomies"] = lambda request: json_answer({"category": category})
    result = rest(site, tmp_path)
    message = (
        f"{site.base}/wp-json/: posts by user ids the users endpoint did not list (7): their "
        "author is empty, the id is in provenance"
    )
    assert_warning(result, message, exit_code=0)
    message = f"{site.base}/wp-json/: 1 term reference(s) to terms not listed: left out"
    assert_warning(result, message, exit_code=0)


def test_permalink_pages_that_could_not_be_captured(site, tmp_path):
    site.posts = [fake_post(site.base, 1), fake_post(site.base, 2)]
    front = FakeWordPress(base=site.base)._front  # the fake's own front page

    def pages(request: Request) -> Response:
        if request.path == "/p1/":
            return Response("gone", 404)
        if request.path == "/p2/":
            return Response("", 301, {"Location": "http://127.0.0.1:9/p2/"})
        return front(request)

    site.front = pages
    result = archive(site.base + "/", tmp_path, "--pages", "--no-media")
    message = (
        f"{site.base}/wp-json/: permalink page {site.base}/p1/ answered HTTP 404 (captured as is)"
    )
    assert_warning(result, message, exit_code=0)
    message = (
        f"{site.base}/wp-json/: permalink page not captured: {site.base}/p2/ redirects to "
        "another host or scheme (http://127.0.0.1:9), which wparchive does not follow for the "
        "API or with credentials: run again with that address"
    )
    assert_warning(result, message, exit_code=0)


# -- media ---------------------------------------------------------------------------------------


@pytest.fixture
def media_site(httpserver, tmp_path) -> tuple[Any, Path, str]:
    """An export whose post shows one image from the site's own uploads, on httpserver."""
    base = httpserver.url_for("/").rstrip("/")
    url = f"{base}/wp-content/uploads/2024/06/kep.jpg"
    body = item(1).replace("<p>Body 1</p>", f'<p><img src="{url}"></p>')
    export = tmp_path / "e.xml"
    export.write_text(wxr(body).replace("https://example.org", base))
    return httpserver, export, url


def test_a_media_file_the_site_does_not_have(media_site, tmp_path):
    server, export, url = media_site
    server.expect_request("/wp-content/uploads/2024/06/kep.jpg").respond_with_data("no", 404)
    result = archive(export, tmp_path / "out", "--media")
    assert_warning(result, f"media {url} not archived: HTTP 404", exit_code=0)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_media_file_over_the_size_cap(media_site, tmp_path, monkeypatch, declared):
    server, export, url = media_site
    monkeypatch.setitem(MediaFetcher.__init__.__kwdefaults__, "max_bytes", 1000)
    chunks = [b"x" * 800] * 5
    body = b"".join(chunks) if declared else iter(chunks)  # an iterator: no Content-Length
    answer = Response(body, content_type="image/jpeg")
    server.expect_request("/wp-content/uploads/2024/06/kep.jpg").respond_with_response(answer)
    result = archive(export, tmp_path / "out", "--media")
    if declared:
        message = (
            f"media {url} not archived: 4,000 bytes (Content-Length), over the 1,000-byte "
            "cap; not downloaded"
        )
    else:
        message = f"media {url} not archived: more than the 1,000-byte cap; download stopped there"
    assert_warning(result, message, exit_code=0)


def test_media_downloads_that_a_retry_mended(media_site, tmp_path):
    server, export, url = media_site
    path = "/wp-content/uploads/2024/06/kep.jpg"
    server.expect_ordered_request(path).respond_with_data("busy", 503, {"Retry-After": "0"})
    server.expect_ordered_request(path).respond_with_data(
        b"\xff\xd8jpeg", content_type="image/jpeg"
    )
    message = (
        "media: the site failed 1 download attempt(s) on the way (HTTP 503 ×1); each was retried"
    )
    assert_warning(archive(export, tmp_path / "out", "--media"), message, exit_code=0)


# -- --resume -----------------------------------------------------------------------------------


class Stop(Exception):
    """Stands in for Ctrl-C or a kill: the run stops where it is."""


def interrupted(export: Path, out: Path, after: int = 10) -> Path:
    """A run of ``export`` stopped once ``after`` records are written; its folder."""

    def progress(done: int, total: int | None, records: int) -> None:
        if records >= after:
            raise Stop

    interval, resume.INTERVAL = resume.INTERVAL, 0.0  # a checkpoint after every post
    try:
        with pytest.raises(Stop):
            run_archive(export, ArchiveOptions(out=out, jobs=1), progress=progress)
    finally:
        resume.INTERVAL = interval
    [run_dir] = out.iterdir()
    return run_dir


@pytest.fixture
def stopped(tmp_path) -> tuple[Path, Path]:
    export = export_file(tmp_path, "\n".join(item(i) for i in range(100, 140)))
    return export, interrupted(export, tmp_path / "out")


def test_resume_with_other_options(stopped, tmp_path):
    export, run_dir = stopped
    result = archive(export, tmp_path / "out", "--resume", "--no-clean")
    message = (
        f"--resume: the interrupted run in {run_dir} used other options (clean); give the "
        "same options, or run without --resume"
    )
    assert_error(result, message, RESUME_HINT)


def test_resume_of_an_export_changed_in_place(stopped, tmp_path):
    export, run_dir = stopped
    export.write_text(export.read_text().replace("<wp:post_id>1", "<wp:post_id>9"))  # same size
    result = archive(export, tmp_path / "out", "--resume")
    message = (
        "--resume: the source no longer gives what the interrupted run read (record … was "
        "post 1…); run without --resume to start again"
    )
    assert_error(result, message, RESUME_HINT)


def test_resume_of_an_export_now_of_another_site(stopped, tmp_path):
    export, run_dir = stopped
    export.write_text(export.read_text().replace("example.org", "exemple.org"))  # same size
    result = archive(export, tmp_path / "out", "--resume")
    message = (
        f"--resume: the interrupted run is in {run_dir}, but the source now belongs in "
        f"{tmp_path / 'out' / 'exemple-org'}; run without --resume"
    )
    assert_error(result, message, RESUME_HINT)


@pytest.mark.parametrize("name", ["archive.jsonl.open", "*.warc.gz*"])
def test_resume_when_a_file_of_the_interrupted_run_is_gone(stopped, tmp_path, name):
    export, run_dir = stopped
    [gone] = run_dir.glob(name)
    gone.unlink()
    # (a WARC is named as the checkpoint names it, without .open)
    shown = gone if gone.name.startswith("archive") else run_dir / gone.name.removesuffix(".open")
    result = archive(export, tmp_path / "out", "--resume")
    message = f"{shown}: missing, so the run can't be resumed; run without --resume to start again"
    assert_error(result, message, RESUME_HINT)


def test_resume_when_the_interrupted_archive_was_cut_or_overwritten(stopped, tmp_path):
    export, run_dir = stopped
    archive_open = run_dir / "archive.jsonl.open"
    size = archive_open.stat().st_size
    archive_open.write_bytes(b"x" * size)
    result = archive(export, tmp_path / "out", "--resume")
    message = f"{archive_open}: no header line; run without --resume to start again"
    assert_error(result, message, RESUME_HINT)
    archive_open.write_bytes(b"{}\n")
    result = archive(export, tmp_path / "out", "--resume")
    message = (
        f"{archive_open}: shorter than the checkpoint says, so the run can't be resumed; "
        "run without --resume to start again"
    )
    assert_error(result, message, RESUME_HINT)


# -- verify -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> Path:
    """A small finished run with every output: media, CDXJ, WACZ and a bag."""
    root = tmp_path_factory.mktemp("packaged")
    uploads = root / "uploads" / "2024" / "06"
    uploads.mkdir(parents=True)
    (uploads / "kep.jpg").write_bytes(b"\xff\xd8 a small picture")
    image = '<p><img src="https://example.org/wp-content/uploads/2024/06/kep.jpg"></p>'
    posts = [item(n, extra=f"<link>https://example.org/{n}/</link>") for n in (1, 2, 3)]
    body = posts[0].replace("<p>Body 1</p>", image) + posts[1] + posts[2]
    export = export_file(root, body)
    options = ["--media", "--uploads-dir", root / "uploads", "--cdxj", "--wacz", "--bag"]
    result = archive(export, root / "out", *options)
    assert result.exit_code == 0, result.output
    return root / "out" / "example-org"


@pytest.fixture
def run(packaged, tmp_path) -> Path:
    """A copy of the packaged run that a test may damage."""
    return Path(shutil.copytree(packaged, tmp_path / packaged.name))


def problems(run_dir: Path) -> list[str]:
    result = cli("verify", run_dir)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(r"\d+ problem\(s\) in .*", lines[-1]), lines[-1]
    return [line.removeprefix("problem: ") for line in lines if line.startswith("problem: ")]


def assert_problem(run_dir: Path, message: str) -> None:
    found = problems(run_dir)
    assert any(shape(p, message) for p in found), (message, found)


def warc(run_dir: Path) -> Path:
    [path] = run_dir.glob("*.warc.gz")
    return path


def test_verify_of_a_folder_that_is_not_there(tmp_path):
    assert_problem(tmp_path / "nothing", "nothing: no such run folder")


def test_verify_of_an_interrupted_run(stopped):
    _, run_dir = stopped
    found = problems(run_dir)
    for message in (
        "archive.jsonl.open: left open: the run that wrote it did not finish",
        "resume.json: the run stopped before it finished: carry it on with `wparchive archive "
        "--resume` (same source and options)",
        "archive.jsonl: missing",
        "archive.jsonl: its SHA-256 is not recorded in the WARCs (an unfinished run?)",
    ):
        assert message in found, (message, found)


def test_verify_finds_a_missing_warc(run):
    first = warc(run)
    first.rename(first.with_name(first.name.replace("-00000.", "-00001.")))
    assert_problem(run, "…-00001.warc.gz: expected WARC number 00000 here: one is missing")


def write_warc(path: Path, version: str) -> None:
    """A WARC whose first record is a resource, not a warcinfo."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version=version)
        record = writer.create_warc_record(
            "https://example.org/x",
            "resource",
            payload=io.BytesIO(b"x"),
            warc_content_type="text/plain",
        )
        writer.write_record(record)


def test_verify_finds_a_warc_of_another_version_without_warcinfo(run):
    write_warc(warc(run), "WARC/1.0")
    name = warc(run).name
    assert_problem(run, f"{name}: record 0 is WARC/1.0")
    assert_problem(run, f"{name}: does not start with a warcinfo record")


def rewrite_warc(path: Path, change: Callable[[bytes], bytes]) -> None:
    """Each record (one gzip member each) through ``change``, compressed again."""
    data, records = path.read_bytes(), []
    while data:
        member = zlib.decompressobj(31)
        records.append(change(member.decompress(data)))
        data = member.unused_data
    path.write_bytes(b"".join(gzip.compress(record) for record in records))


def test_verify_finds_a_changed_warc_record(run):
    rewrite_warc(warc(run), lambda record: record.replace(b"Body 2", b"Body 9"))
    assert_problem(run, f"{warc(run).name}: record … (resource): digest mismatch: …")


def test_verify_finds_a_warc_it_cannot_read(run):
    path = warc(run)
    path.write_bytes(bytes(range(256)) * 10)
    assert_problem(run, f"{path.name}: unreadable WARC: Unknown archive format, first line: …")
    assert_problem(run, "index.cdxj: cannot re-index the WARCs to compare: Unknown archive format…")


def test_verify_reports_what_warcio_tolerates(run):
    def one_byte_short(record: bytes) -> bytes:
        if b"WARC-Type: resource" not in record:
            return record
        length = re.search(rb"Content-Length: (\d+)", record)
        assert length is not None
        shorter = b"Content-Length: %d" % (int(length[1]) - 1)
        return record.replace(length[0], shorter, 1)

    rewrite_warc(warc(run), one_byte_short)
    message = "warcio: Record not followed by newline, perhaps Content-Length is invalid"
    assert_problem(run, f"{warc(run).name}: {message}")


def test_verify_finds_archive_lines_that_break_the_schema(run):
    path = run / "archive.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["tool"] = 42
    post = json.loads(lines[1])
    post["id"] = "one"
    lines[:2] = [json.dumps(header) + "\n", json.dumps(post) + "\n"]
    path.write_text("".join(lines), encoding="utf-8")
    assert_problem(run, "archive.jsonl: the header line does not match the schema")
    assert_problem(
        run, "archive.jsonl: line 2: {…'id': 'one'…} is not valid under any of the given schemas"
    )
    assert_problem(
        run, "archive.jsonl: changed since the run: its SHA-256 differs from the WARC's record"
    )


def test_verify_finds_an_archive_line_taken_out(run):
    path = run / "archive.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    [post] = [n for n, line in enumerate(lines) if json.loads(line).get("id") == 3]
    path.write_text("".join(lines[:post] + lines[post + 1 :]), encoding="utf-8")
    assert_problem(run, "archive.jsonl: end line counts 3 posts, the archive holds 2")
    assert_problem(
        run,
        f"{warc(run).name}: posts without metadata records in the WARCs: []; metadata "
        "records of posts not in the archive: [3]",
    )
    assert_problem(run, f"{warc(run).name}: renderings missing from the WARCs: []; unexpected: […]")


def test_verify_finds_an_archive_without_its_end_line(run):
    path = run / "archive.jsonl"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    assert_problem(
        run, f"archive.jsonl: {path} has no end line: the run that wrote it did not finish"
    )


def test_verify_finds_a_missing_or_changed_media_file(run):
    [picture] = (run / "media").rglob("kep.jpg")
    picture.write_bytes(b"another picture")
    assert_problem(run, "kep.jpg: changed since the run: its SHA-256 differs from the archive's")
    picture.unlink()
    url = "https://example.org/wp-content/uploads/2024/06/kep.jpg"
    assert_problem(run, f"kep.jpg: missing: the archive lists {url} here")


def test_verify_finds_a_missing_pages_file(run):
    (run / "pages.jsonl").unlink()
    assert_problem(run, "pages.jsonl: missing")


def test_verify_finds_a_changed_index(run):
    with (run / "index.cdxj").open("a") as fh:
        fh.write("org,example)/x 20240101000000 {}\n")
    assert_problem(run, "index.cdxj: does not match the WARCs (changed, or made from other files)")


def rewrite_wacz(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    with zipfile.ZipFile(path) as old:
        members = {name: old.read(name) for name in old.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as new:
        for name, data in members.items():
            new.writestr(name, data)


def test_verify_finds_a_changed_wacz(run):
    wacz = run / f"{run.name}.wacz"
    original = wacz.read_bytes()

    def pages_without_header(members: dict[str, bytes]) -> None:
        lines = members["pages/pages.jsonl"].splitlines(keepends=True)
        members["pages/pages.jsonl"] = b"".join(lines[1:])

    rewrite_wacz(wacz, pages_without_header)
    assert_problem(run, f"{wacz.name}: pages/pages.jsonl: hash differs from datapackage.json")
    assert_problem(run, f"{wacz.name}: pages/pages.jsonl lacks its json-pages-1.0 header line")

    wacz.write_bytes(original)

    def other_package(members: dict[str, bytes]) -> None:
        members["datapackage.json"] += b" "

    rewrite_wacz(wacz, other_package)
    assert_problem(run, f"{wacz.name}: datapackage.json does not match datapackage-digest.json")

    wacz.write_bytes(original)

    def without_index(members: dict[str, bytes]) -> None:
        del members["indexes/index.cdx.gz"]
        package = json.loads(members["datapackage.json"])
        package["resources"] = [
            r for r in package["resources"] if r["path"] != "indexes/index.cdx.gz"
        ]
        members["datapackage.json"] = json.dumps(package).encode()

    rewrite_wacz(wacz, without_index)
    assert_problem(run, f"{wacz.name}: no indexes/index.cdx.gz")

    wacz.write_bytes(original)
    data = bytearray(original)
    with zipfile.ZipFile(wacz) as z:
        [stored] = [i for i in z.infolist() if i.filename.startswith("archive/")]
    local = stored.header_offset  # a byte of the stored WARC, past its local header
    start = local + 30 + int.from_bytes(data[local + 26 : local + 28], "little")
    start += int.from_bytes(data[local + 28 : local + 30], "little")
    data[start + 100] ^= 0x20
    wacz.write_bytes(bytes(data))
    assert_problem(run, f"{wacz.name}: {stored.filename}: CRC mismatch")

    wacz.write_bytes(b"not a zip file")
    assert_problem(run, f"{wacz.name}: unreadable WACZ: File is not a zip file")


def test_verify_finds_a_changed_bag(run):
    manifest = run / "bag" / "manifest-sha256.txt"
    text = manifest.read_text()
    manifest.write_text(text[:10].upper() + text[10:])
    assert_problem(run, "bag/: manifest-sha256.txt is not as wparchive wrote it")
    manifest.write_text(text)
    (run / "bag" / "data" / "pages.jsonl").write_text("changed\n")
    assert_problem(run, "bag/: invalid bag: Payload-Oxum validation failed. …")


# -- export ------------------------------------------------------------------------------------

GIVE_A_RUN = "give a run folder written by `wparchive archive`."


def archive_file(tmp_path: Path, data: bytes) -> Path:
    (tmp_path / "run").mkdir()
    path = tmp_path / "run" / "archive.jsonl"
    path.write_bytes(data)
    return path


HEADER = b'{"type": "archive", "format": "wparchive", "version": 1}\n'
# a long third line: the bytes after it are decoded after line 2 has been read
LONG = HEADER + b'{"type": "note"}\n{"type": "note", "text": "%s"}\n' % (b"x" * 50_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "cannot read {path}: No such file or directory"),
        (b'{"hello": "world"}\n', "{path} is not a wparchive JSON archive"),
        (
            b'{"type": "archive", "format": "wparchive", "version": 99}\n',
            "{path} is format version 99; this wparchive reads version 1",
        ),
        (b"\xff\xfe\n", "{path}: line 1 is not UTF-8: …"),
        (b"not json\n", "{path}:1: not JSON (Expecting value: line 1 column 1 (char 0))"),
        (LONG + b"\xff\n", "{path}: not UTF-8 after line 2: …"),
        (HEADER, "{path} has no end line: the run that wrote it did not finish"),
    ],
    ids=["missing", "not ours", "version", "not utf-8", "not json", "not utf-8 later", "no end"],
)
def test_export_of_something_that_is_not_a_finished_archive(tmp_path, data, message):
    path = tmp_path / "run" / "archive.jsonl" if data is None else archive_file(tmp_path, data)
    result = cli("export", "html", path, "--to", tmp_path / "site")
    assert_error(result, message.format(path=path), GIVE_A_RUN)


def test_export_into_the_run_it_reads(packaged, tmp_path):
    inside = packaged / "site"
    result = cli("export", "markdown", packaged, "--to", inside)
    assert_error(result, f"--to {inside} is inside the run folder {packaged}: choose another")
    result = cli("export", "markdown", packaged, "--to", tmp_path / "x", "--flavor", "gatsby")
    assert_error(result, "--flavor must be one of hugo, jekyll, not 'gatsby'")
    result = cli("export", "wxr", packaged, "--to", tmp_path)
    assert_error(result, f"--to {tmp_path} must be a new file, not the archive or a folder")


def test_an_export_never_writes_outside_its_folder(tmp_path):
    with pytest.raises(ExportError, match=r"^refusing to write '\.\./x': it would not be inside "):
        output_path(tmp_path, "../x")


def test_a_wxr_export_of_an_archive_without_personal_data(packaged, tmp_path):
    result = cli("export", "wxr", packaged, "--to", tmp_path / "site.xml")
    assert result.exit_code == 0, result.output
    message = (
        "the archive left personal data out: the file has no e-mails or IPs, and "
        "password-protected posts have no password (archive with --keep-personal-data to "
        "carry them)"
    )
    assert message in warnings_of(result)


# -- bulk and Dask ----------------------------------------------------------------------------

BULK_HINT = "see `wparchive bulk` in the README for the sites file's format."


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("sites.txt", None, "cannot read {path}: No such file or directory"),
        ("sites.txt", b"\xff\xfe", "{path} is not UTF-8 text"),
        ("sites.txt", b"# nothing yet\n", "{path} lists no site"),
        ("sites.toml", b"[[site]\n", "{path} is not valid TOML: …"),
        ("sites.toml", b"site = 1\n", "{path}: sites are [[site]] tables"),
        ("sites.toml", b"x = 1\n", "{path}: unknown top-level key(s) x"),
        (
            "sites.toml",
            b'[[site]]\nsource = "a.xml"\nsources = ["b.xml"]\n',
            "site 1: give source or sources, not both",
        ),
        ("sites.toml", b"[[site]]\nname = 'a'\n", "site 1: no source (a WXR file or a site's URL)"),
        ("sites.toml", b'[[site]]\nsource = "a.xml"\nname = 1\n', "site 1: name must be a string"),
        (
            "sites.toml",
            b'[[site]]\nsource = "a.xml"\nmedai = true\n',
            "site 1: unknown option(s) medai (per-site options are ArchiveOptions fields, e.g. "
            "media, rewrite, clean)",
        ),
    ],
    ids=[
        "missing",
        "not utf-8",
        "empty",
        "not toml",
        "not tables",
        "unknown key",
        "both",
        "no source",
        "name",
        "unknown option",
    ],
)
def test_a_sites_file_bulk_cannot_use(tmp_path, name, text, message):
    path = tmp_path / name
    if text is not None:
        path.write_bytes(text)
    result = cli("bulk", path, "--out", tmp_path / "out")
    assert_error(result, message.format(path=path), BULK_HINT)


def test_bulk_names_each_site_that_failed(tmp_path):
    sites = tmp_path / "sites.txt"
    export_file(tmp_path, item(1), name="good.xml")
    sites.write_text("missing.xml\ngood.xml\n")
    result = cli("bulk", sites, "--out", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert f"failed: missing: {tmp_path / 'missing.xml'}: no such file" in result.output
    assert "complete: good" in result.output


class Workers:
    """Stands in for a Dask client: what ``client.run`` gives or raises on the workers."""

    def __init__(self, answer: Any):
        self.answer = answer

    def run(self, function: Any) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_dask_workers_that_cannot_run_wparchive():
    workers = Workers(ModuleNotFoundError("No module named 'wparchive'"))
    with pytest.raises(bulk.SchedulerError) as error:
        bulk._check_workers(workers, "tcp://10.0.0.1:8786")
    assert str(error.value) == (
        "the Dask workers of tcp://10.0.0.1:8786 can't run wparchive (ModuleNotFoundError: "
        f"No module named 'wparchive'); install wparchive {bulk.__version__} where they run"
    )
    workers = Workers({"tcp://10.0.0.2:4000": "0.0.1"})
    with pytest.raises(bulk.SchedulerError) as error:
        bulk._check_workers(workers, "tcp://10.0.0.1:8786")
    assert str(error.value) == (
        "1 Dask worker(s) of tcp://10.0.0.1:8786 run wparchive 0.0.1 (e.g. tcp://10.0.0.2:4000), "
        f"this is {bulk.__version__}: install the same version everywhere"
    )
