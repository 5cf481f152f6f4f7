"""Drives ksql-python (PyPI `ksql`, unmodified) against a running `sluice server`.

Usage: python3 ksql_python_client.py URL
Prints one JSON object per step on stdout ({"step": ..., ...}); real-clients.test.ts asserts on them.
Exits 3 (printing a reason) when the package is missing, so the test can skip with that reason.
"""
import collections
import collections.abc
import json
import sys
import time

# ksql-python imports `hyper`, whose last release (0.7.0) still imports these names from
# `collections`; Python 3.10 moved them to `collections.abc` only. Aliasing them back is what
# running the unmodified client on a current Python takes.
for _name in ("Iterable", "Mapping", "MutableMapping", "MutableSet", "Sequence"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

try:
    from ksql import KSQLAPI
    from ksql.errors import KSQLError
except ImportError as e:  # pragma: no cover - reported to the test as a skip reason
    print(f"ksql-python is not installed ({e}); install it with: pip install ksql")
    sys.exit(3)


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def main(url):
    client = KSQLAPI(url, timeout=30)
    emit("info", value=client.get_url() if hasattr(client, "get_url") else url)

    # DDL through plain statements and the client's helper (which, as on ksqlDB, needs the topic to exist)
    client.ksql("CREATE STREAM py_seed (id VARCHAR) WITH (KAFKA_TOPIC='py_orders', PARTITIONS=1, VALUE_FORMAT='JSON');")
    client.create_stream(table_name="py_orders", columns_type=["id varchar", "amount int"], topic="py_orders", value_format="JSON")
    created = client.ksql("CREATE STREAM py_big AS SELECT id, amount FROM py_orders WHERE amount > 10;")
    emit("csas", entity=created[0])

    client.ksql("CREATE TABLE py_totals AS SELECT id, SUM(amount) AS total FROM py_orders GROUP BY id;")

    # inserts-stream (HTTP/2 through hyper)
    acks = client.inserts_stream("py_orders", [{"ID": "a", "AMOUNT": 5}, {"ID": "b", "AMOUNT": 20}, {"ID": "a", "AMOUNT": 7}])
    emit("inserts", acks=acks)
    # INSERT VALUES through /ksql: ksqlDB answers an empty entity list ([]), on which this release of
    # the client raises IndexError after the insert succeeded (its issue #80); the row must be there
    try:
        emit("insert_values", entities=client.ksql("INSERT INTO py_orders (id, amount) VALUES ('c', 30);"))
    except IndexError:
        emit("insert_values", entities=[], client_index_error=True)

    emit("streams", entity=client.ksql("SHOW STREAMS;")[0])
    emit("tables", entity=client.ksql("LIST TABLES;")[0])
    emit("queries", entity=client.ksql("SHOW QUERIES;")[0])
    emit("describe", entity=client.ksql("DESCRIBE py_orders;")[0])

    # push query with LIMIT over /query (HTTP/1.1 chunked), rows parsed by the client line by line
    # (return_objects; without it this release raises RuntimeError at the end of any finite response)
    rows = list(client.query("SELECT id, amount FROM py_orders EMIT CHANGES LIMIT 3;", stream_properties={"ksql.streams.auto.offset.reset": "earliest"}, return_objects=True))
    emit("push_limit", rows=rows)

    # push query closed early by the client: read the header and one row, then stop reading
    gen = client.query("SELECT id, amount FROM py_orders EMIT CHANGES;", stream_properties={"ksql.streams.auto.offset.reset": "earliest"})
    early = ""
    for chunk in gen:
        early += chunk
        if early.count('"row"') >= 1:
            break
    gen.close()
    emit("push_early", text=early)

    # push query over /query-stream ended by the client's close_query (POST /close-query)
    stream = client.query("SELECT id, amount FROM py_orders EMIT CHANGES;", stream_properties={"auto.offset.reset": "earliest"}, use_http2=True)
    header = json.loads(next(stream).split("\n")[0])
    closed = client.close_query(header["queryId"])
    rest = "".join(stream)  # the response ends once the query is closed
    emit("close_query", queryId=header["queryId"], closed=closed, rest=rest)

    # pull query over /query-stream (HTTP/2 through hyper)
    for attempt in range(50):
        pulled = "".join(client.query("SELECT * FROM py_totals WHERE id = 'a';", use_http2=True))
        if '12' in pulled:
            break
        time.sleep(0.2)
    emit("pull", text=pulled)

    # push query over /query-stream (HTTP/2) with LIMIT
    emit("push_stream", text="".join(client.query("SELECT id, amount FROM py_big EMIT CHANGES LIMIT 2;", stream_properties={"auto.offset.reset": "earliest"}, use_http2=True)))

    # errors: a bad statement, an unknown source
    for step, sql in (("error_syntax", "CREATE STREAM oops WITH;"), ("error_unknown", "DROP STREAM no_such_stream;")):
        try:
            client.ksql(sql)
            emit(step, raised=False)
        except KSQLError as e:
            emit(step, raised=True, message=e.msg if hasattr(e, "msg") else str(e), error_code=getattr(e, "error_code", None))

    # terminate the persistent queries, then drop
    queries = [q for q in client.ksql("SHOW QUERIES;")[0]["queries"] if "_PY_" in q["id"]]
    for q in queries:
        emit("terminate", entity=client.ksql(f"TERMINATE {q['id']};")[0])
    emit("drop", entity=client.ksql("DROP STREAM py_big;")[0])
    emit("done")


if __name__ == "__main__":
    main(sys.argv[1])
