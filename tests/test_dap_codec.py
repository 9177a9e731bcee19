"""Content-Length framing: what the reader accepts and refuses, what the writer writes."""

from __future__ import annotations

import io
import json
import os
import threading

import pytest
from dap_harness import read_frames

from dap_server.dap import codec
from dap_server.dap.codec import (
    MAX_HEADER_LINE,
    MAX_HEADER_LINES,
    FrameReader,
    FramingError,
    MessageWriter,
    TruncatedFrame,
)
from dap_server.dap.raw_json import thread_array


def frames(data: bytes, max_body_size: int = 1024) -> list[bytes]:
    reader = FrameReader(io.BufferedReader(io.BytesIO(data)), max_body_size=max_body_size)
    bodies = []
    while (body := reader.read_frame()) is not None:
        bodies.append(body)
    return bodies


@pytest.mark.parametrize(
    "header",
    [
        b"Content-Length: 2\r\n\r\n",
        b"content-length: 2\r\n\r\n",
        b"CONTENT-LENGTH:2\r\n\r\n",
        b"Content-Length:\t2 \r\n\r\n",
        b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n",
        b"Content-Length: 2\r\nX-Extra: whatever: with colons\r\n\r\n",
        b"Content-Length: 0002\r\n\r\n",
    ],
)
def test_header_forms_that_are_accepted(header: bytes) -> None:
    assert frames(header + b"{}" + header + b"[]") == [b"{}", b"[]"]


def test_empty_body_and_clean_end() -> None:
    assert frames(b"Content-Length: 0\r\n\r\n") == [b""]
    assert frames(b"") == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Content-Length: x\r\n\r\n", "Content-Length b'x' is not a non-negative integer"),
        (b"Content-Length: +2\r\n\r\n{}", "Content-Length b'+2' is not a non-negative integer"),
        (b"Content-Length: 1_0\r\n\r\n", "is not a non-negative integer"),
        (b"Content-Length: 1.0\r\n\r\n", "is not a non-negative integer"),
        (b"Content-Length: \r\n\r\n", "Content-Length b'' is not a non-negative integer"),
        (b"Content-Length: 1025\r\n\r\n", "Content-Length 1025 exceeds the limit of 1024 bytes"),
        (b"Content-Length: " + b"9" * 40 + b"\r\n\r\n", "exceeds the limit of 1024 bytes"),
        (b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", "Content-Length header given twice"),
        (b"\r\n{}", "message header has no Content-Length"),
        (b"Content-Type: json\r\n\r\n{}", "message header has no Content-Length"),
        (b"Content-Length 2\r\n\r\n{}", "has no ':'"),
        (b"Content-Length: 2\n\n{}", "does not end with CRLF"),
        (b"X: " + b"a" * MAX_HEADER_LINE + b"\r\n", f"header line longer than {MAX_HEADER_LINE} bytes"),
        (b"X: y\r\n" * (MAX_HEADER_LINES + 1), f"more than {MAX_HEADER_LINES} header lines"),
    ],
)
def test_unframeable_input_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FramingError) as caught:
        frames(data)
    assert not isinstance(caught.value, TruncatedFrame)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Content-Len", "input ended inside a message header"),
        (b"Content-Length: 2\r\n", "input ended inside a message header"),
        (b"Content-Length: 5\r\n\r\n{}", "input ended after 2 of 5 body bytes"),
        (b"Content-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n", "input ended after 0 of 2 body bytes"),
    ],
)
def test_input_ending_inside_a_frame_differs_from_a_clean_end(data: bytes, reason: str) -> None:
    with pytest.raises(TruncatedFrame, match=reason):
        frames(data)


def test_reader_waits_for_a_body_written_in_pieces() -> None:
    read_fd, write_fd = os.pipe()
    body = json.dumps({"text": "é" * 5000}).encode()
    data = b"Content-Length: %d\r\n\r\n%b" % (len(body), body)

    def trickle() -> None:
        with os.fdopen(write_fd, "wb", buffering=0) as out:
            for start in range(0, len(data), 333):
                out.write(data[start : start + 333])

    writer = threading.Thread(target=trickle)
    writer.start()
    with os.fdopen(read_fd, "rb") as stream:
        reader = FrameReader(stream)
        assert reader.read_frame() == body
        assert reader.read_frame() is None
    writer.join()


def test_writer_writes_only_content_length_and_compact_utf8() -> None:
    out = io.BytesIO()
    writer = MessageWriter(out)
    assert writer.write({"type": "event", "event": "output", "body": {"output": "ünï €"}}) == 1
    body = '{"seq":1,"type":"event","event":"output","body":{"output":"ünï €"}}'.encode()
    assert out.getvalue() == b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


def test_writer_refuses_unencodable_messages_before_numbering_them() -> None:
    out = io.BytesIO()
    writer = MessageWriter(out)
    with pytest.raises(TypeError):
        writer.write({"body": object()})
    with pytest.raises(ValueError):
        writer.write({"body": float("inf")})
    assert out.getvalue() == b""
    assert writer.write({"type": "event", "event": "initialized"}) == 1


@pytest.mark.parametrize("count", [0, 1, 4095, 4096, 4097, 10_000])
def test_a_raw_thread_array_is_written_as_json_dumps_writes_the_dicts(count: int) -> None:
    """thread_array's pieces spliced into the frame are the bytes json.dumps makes of the dicts:
    ids of any size, names with quotes, escapes, non-ASCII and control characters, across the
    4,096-entry pieces."""
    names = ['Goroutine 1 [chan receive]: main.f "q" \\ ünï €', "tab\tnl\n\x00 \u2028", ""]
    threads = [(i * 7919 + (1 << 40) * (i % 3), names[i % 3] + str(i)) for i in range(count)]
    raw_out, dict_out = io.BytesIO(), io.BytesIO()
    MessageWriter(raw_out).write({"type": "response", "body": {"threads": thread_array(iter(threads))}, "x": 1})
    dicts = [{"id": i, "name": n} for i, n in threads]
    MessageWriter(dict_out).write({"type": "response", "body": {"threads": dicts}, "x": 1})
    assert raw_out.getvalue() == dict_out.getvalue()
    assert json.loads(frames(raw_out.getvalue(), 1 << 24)[0])["body"]["threads"] == dicts


def test_a_string_that_holds_the_raw_mark_is_refused_before_numbering() -> None:
    out = io.BytesIO()
    writer = MessageWriter(out)
    message = {"body": {"threads": thread_array([(1, "a")]), "output": codec._RAW_MARK}}
    with pytest.raises(ValueError, match="mark"):
        writer.write(message)
    assert out.getvalue() == b""
    assert writer.write({"type": "event", "event": "initialized"}) == 1


def test_writing_to_a_closed_stream_is_a_lost_connection() -> None:
    out = io.BytesIO()
    out.close()
    with pytest.raises(BrokenPipeError):
        MessageWriter(out).write({"type": "event", "event": "initialized"})


def test_writer_numbers_and_frames_whole_messages_from_many_threads() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as incoming, os.fdopen(write_fd, "wb") as outgoing:
        writer = MessageWriter(outgoing)
        violations: list[str] = []
        received: list[dict[str, object]] = []
        collector = threading.Thread(target=lambda: received.extend(read_frames(incoming, violations)))
        collector.start()

        def send(name: str) -> None:
            for i in range(200):
                writer.write({"type": "event", "event": "output", "body": {"output": f"{name}{i}" * 50}})

        senders = [threading.Thread(target=send, args=(f"t{n}",)) for n in range(4)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        outgoing.close()
        collector.join()
    assert not violations
    assert [m["seq"] for m in received] == list(range(1, 801))
