"""The pytest plugin, run the way users run it: test files in a temp project."""

from __future__ import annotations

import textwrap

import pytest

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makeini(INI)
    pytester.makepyfile(test_example=textwrap.dedent(source))
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_the_first_example_passes(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp import web

        async def hello(request):
            return web.Response(text='Hello, world')

        async def test_hello(aiohttp_client):
            app = web.Application()
            app.router.add_get('/', hello)
            client = await aiohttp_client(app)
            resp = await client.get('/')
            assert resp.status == 200
            text = await resp.text()
            assert 'Hello, world' in text
        """,
    )
    result.assert_outcomes(passed=1)


def test_the_app_state_example_passes(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest
        from aiohttp import web

        value = web.AppKey("value", str)


        async def previous(request):
            if request.method == 'POST':
                request.app[value] = (await request.post())['value']
                return web.Response(body=b'thanks for the data')
            return web.Response(
                body='value: {}'.format(request.app[value]).encode('utf-8'))

        @pytest.fixture
        async def cli(aiohttp_client):
            app = web.Application()
            app.router.add_get('/', previous)
            app.router.add_post('/', previous)
            return await aiohttp_client(app)

        async def test_set_value(cli):
            resp = await cli.post('/', data={'value': 'foo'})
            assert resp.status == 200
            assert await resp.text() == 'thanks for the data'
            assert cli.server.app[value] == 'foo'

        async def test_get_value(cli):
            cli.server.app[value] = 'bar'
            resp = await cli.get('/')
            assert resp.status == 200
            assert await resp.text() == 'value: bar'
        """,
    )
    result.assert_outcomes(passed=2)


def test_server_raw_server_and_port_fixtures(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp import web

        async def test_server(aiohttp_server):
            app = web.Application()
            server = await aiohttp_server(app)
            assert server.port

        async def test_raw(aiohttp_raw_server, aiohttp_client):
            async def handler(request):
                return web.Response(text="OK")

            raw_server = await aiohttp_raw_server(handler)
            client = await aiohttp_client(raw_server)
            resp = await client.get('/')
            assert await resp.text() == "OK"
            assert client.app is None

        async def test_port(aiohttp_client, aiohttp_unused_port):
            port = aiohttp_unused_port()
            app = web.Application()
            client = await aiohttp_client(app, server_kwargs={'port': port})
            assert client.port == port
            resp = await client.get('/missing')
            assert resp.status == 404

        async def test_server_instance(aiohttp_client):
            from aiohttp.test_utils import TestServer
            server = TestServer(web.Application())
            client = await aiohttp_client(server)
            assert client.server is server
        """,
    )
    result.assert_outcomes(passed=4)


def test_custom_client_class(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest
        from aiohttp import web
        from aiohttp.test_utils import TestClient

        class MyClient(TestClient):
            async def login(self, *, user, pw):
                payload = {"username": user, "password": pw}
                return await self.post("/login", json=payload)

        @pytest.fixture
        def aiohttp_client_cls():
            return MyClient

        async def login(request):
            data = await request.json()
            return web.json_response({"user": data["username"]})

        async def test_login(aiohttp_client):
            app = web.Application()
            app.router.add_post("/login", login)
            client = await aiohttp_client(app)
            resp = await client.login(user="admin", pw="s3cr3t")
            assert await resp.json() == {"user": "admin"}
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_failing_assertion_fails(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp import web

        async def test_status(aiohttp_client):
            client = await aiohttp_client(web.Application())
            resp = await client.get('/')
            assert resp.status == 200
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert 404 == 200*"])


def test_a_handler_traceback_is_shown_in_the_failure(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp import web

        async def broken(request):
            raise LookupError("the-server-side-cause")

        async def test_broken(aiohttp_client):
            app = web.Application()
            app.router.add_get('/', broken)
            client = await aiohttp_client(app)
            resp = await client.get('/')
            assert resp.status == 200
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*assert 500 == 200*",
            "*Traceback (most recent call last):*",
            "*LookupError: the-server-side-cause*",
        ]
    )


def test_a_client_left_open_is_closed_and_reported(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp import web
        from aiohttp.test_utils import TestClient, TestServer

        async def test_leaky(aiohttp_client):
            leaked = TestClient(TestServer(web.Application()))
            await leaked.start_server()
            assert leaked.port
        """,
        "-W",
        "default",
    )
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*<TestClient for <TestServer http://127.0.0.1:*>> was left open by "
            "the test test_leaky; it was closed at teardown*"
        ]
    )


def test_the_conftest_line_works_beside_the_entry_point(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest('pytest_plugins = "aiohttp.pytest_plugin"')
    result = run(
        pytester,
        """
        async def test_port(aiohttp_unused_port):
            assert aiohttp_unused_port() > 0
        """,
    )
    result.assert_outcomes(passed=1)


def test_the_unittest_example_passes(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp.test_utils import AioHTTPTestCase
        from aiohttp import web

        class MyAppTestCase(AioHTTPTestCase):

            async def get_application(self):
                async def hello(request):
                    return web.Response(text='Hello, world')

                app = web.Application()
                app.router.add_get('/', hello)
                return app

            async def test_example(self):
                async with self.client.request("GET", "/") as resp:
                    self.assertEqual(resp.status, 200)
                    text = await resp.text()
                self.assertIn("Hello, world", text)
                self.assertIs(self.client.server, self.server)
                self.assertIs(self.server.app, self.app)
        """,
    )
    result.assert_outcomes(passed=1)


def test_the_framework_agnostic_example_passes(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from aiohttp import web
        from aiohttp.test_utils import TestClient, TestServer

        def _create_example_app():
            async def hello(request):
                return web.Response(text='Hello, world')
            app = web.Application()
            app.router.add_get('/', hello)
            return app

        async def test():
            app = _create_example_app()
            async with TestClient(TestServer(app)) as client:

                async def test_get_route():
                    nonlocal client
                    resp = await client.get("/")
                    assert resp.status == 200
                    text = await resp.text()
                    assert "Hello, world" in text

                await test_get_route()

        async def test_granular():
            app = _create_example_app()
            client = TestClient(TestServer(app))
            await client.start_server()
            resp = await client.get("/")
            assert resp.status == 200
            assert "Hello, world" in await resp.text()
            await client.close()
            assert client.closed
        """,
    )
    result.assert_outcomes(passed=2)
