# asyncio unix-socket echo: a server and five concurrent clients in one
# event loop (epoll underneath), each sending lines and reading them back;
# then a client in a child process over a socket path. Prints a transcript
# whose order does not depend on scheduling.
import asyncio
import os
import sys
import tempfile


async def handle(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(path, n):
    reader, writer = await asyncio.open_unix_connection(path)
    got = []
    for i in range(20):
        writer.write(f"client {n} line {i}\n".encode())
        await writer.drain()
        got.append((await reader.readline()).decode().rstrip())
    # A large message, in pieces.
    big = b"x" * 200000
    writer.write(big)
    await writer.drain()
    back = await reader.readexactly(len(big))
    writer.close()
    await writer.wait_closed()
    return got[0], got[-1], len(back)


async def main():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "echo.sock")
    server = await asyncio.start_unix_server(handle, path)
    results = await asyncio.gather(*(client(path, n) for n in range(5)))
    for r in results:
        print(*r)
    # Another process: a blocking client.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c",
        "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
        "s.sendall(b'from a child\\n'); print(s.makefile().readline().strip())",
        path, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    print(out.decode().strip(), proc.returncode)
    server.close()
    await server.wait_closed()
    os.unlink(path)
    os.rmdir(d)
    print("done")


asyncio.run(main())
