// Unit tests of the engine's building blocks (no sockets).
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#endif

#include <cstring>
#include <set>

#include "buffer_pool.h"
#include "errors.h"
#include "handle_table.h"
#include "ring_queue.h"
#include "socket_address.h"
#include "test/harness.h"
#include "test/loop.h"

using namespace iocpnet;

UNIT_TEST(errors_names_and_numbers) {
#ifdef _WIN32
  // libuv's Windows numbers (what node.exe puts in err.errno), and its
  // translation of WSA / Win32 codes.
  CHECK_EQ(UV_ECONNREFUSED, -4078);
  CHECK_EQ(UV_EADDRINUSE, -4091);
  CHECK_EQ(UV_ECONNRESET, -4077);
  CHECK_EQ(UV_EPIPE, -4047);
  CHECK_EQ(UV_ECANCELED, -4081);
  CHECK_EQ(UV_ENOENT, -4058);
  CHECK_EQ(UvErrorFromSystem(WSAECONNREFUSED), -4078);
  CHECK_EQ(UvErrorFromSystem(ERROR_CONNECTION_REFUSED), -4078);
  CHECK_EQ(UvErrorFromSystem(WSAECONNRESET), -4077);
  CHECK_EQ(UvErrorFromSystem(ERROR_NETNAME_DELETED), -4077);
  CHECK_EQ(UvErrorFromSystem(WSAEADDRINUSE), -4091);
  CHECK_EQ(UvErrorFromSystem(WSAEWOULDBLOCK), UV_EAGAIN);
  CHECK_EQ(UvErrorFromSystem(ERROR_OPERATION_ABORTED), UV_ECANCELED);
  CHECK_EQ(UvErrorFromSystem(WSAEINTR), UV_ECANCELED);
  CHECK_EQ(UvErrorFromSystem(ERROR_FILE_NOT_FOUND), UV_ENOENT);
  CHECK_EQ(UvErrorFromSystem(ERROR_PIPE_BUSY), UV_EBUSY);
  CHECK_EQ(UvErrorFromSystem(ERROR_BROKEN_PIPE), UV_EOF);
  CHECK_EQ(UvErrorFromSystem(ERROR_NO_DATA), UV_EPIPE);
  CHECK_EQ(UvErrorFromSystem(WSAENOBUFS), UV_ENOBUFS);
  CHECK_EQ(UvErrorFromSystem(123456), UV_UNKNOWN);
  CHECK(std::strcmp(UvErrorName(-4055), "ENOSPC") == 0);
#else
  CHECK_EQ(UV_ECONNREFUSED, -111);
  CHECK_EQ(UV_EADDRINUSE, -98);
  CHECK_EQ(UV_ECONNRESET, -104);
  CHECK_EQ(UV_EPIPE, -32);
  CHECK_EQ(UV_ECANCELED, -125);
  CHECK_EQ(UvErrorFromSystem(ECONNREFUSED), -111);
#endif
  CHECK_EQ(UvErrorFromSystem(0), 0);
  CHECK(std::strcmp(UvErrorName(UV_ECONNREFUSED), "ECONNREFUSED") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EADDRINUSE), "EADDRINUSE") == 0);
  CHECK(std::strcmp(UvErrorName(UV_ECONNRESET), "ECONNRESET") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EPIPE), "EPIPE") == 0);
  CHECK(std::strcmp(UvErrorName(UV_ENOENT), "ENOENT") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EACCES), "EACCES") == 0);
  CHECK(std::strcmp(UvErrorName(UV_ETIMEDOUT), "ETIMEDOUT") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EBADF), "EBADF") == 0);
  CHECK(std::strcmp(UvErrorName(UV_ECANCELED), "ECANCELED") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EINVAL), "EINVAL") == 0);
  CHECK(std::strcmp(UvErrorName(UV_ENOTSOCK), "ENOTSOCK") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EADDRNOTAVAIL), "EADDRNOTAVAIL") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EAFNOSUPPORT), "EAFNOSUPPORT") == 0);
  CHECK(std::strcmp(UvErrorName(UV_ENOTCONN), "ENOTCONN") == 0);
  CHECK(std::strcmp(UvErrorName(UV_EOF), "EOF") == 0);
  CHECK(std::strcmp(UvErrorName(-123456), "UNKNOWN") == 0);
  CHECK(std::strcmp(UvErrorMessage(UV_ECONNREFUSED), "connection refused") == 0);
}

UNIT_TEST(socket_address_ipv4) {
  SocketAddress a;
  CHECK(SocketAddress::FromIp("127.0.0.1", 8080, &a));
  CHECK_EQ(a.family(), AF_INET);
  CHECK(a.ip() == "127.0.0.1");
  CHECK_EQ(a.port(), 8080);
  CHECK(std::strcmp(a.FamilyName(), "IPv4") == 0);
  CHECK(!a.IsUnix());
  CHECK(!SocketAddress::FromIp("127.0.0.256", 1, &a));
  CHECK(!SocketAddress::FromIp("localhost", 1, &a));
  CHECK(!SocketAddress::FromIp("", 1, &a));
}

UNIT_TEST(socket_address_ipv6) {
  SocketAddress a;
  CHECK(SocketAddress::FromIp("::1", 443, &a));
  CHECK_EQ(a.family(), AF_INET6);
  CHECK(a.ip() == "::1");
  CHECK_EQ(a.port(), 443);
  CHECK(std::strcmp(a.FamilyName(), "IPv6") == 0);
  CHECK(SocketAddress::FromIp("::ffff:127.0.0.1", 1, &a));
  CHECK(a.ip() == "::ffff:127.0.0.1");
  // Numeric scope ids are kept; a link-local address prints its interface.
  CHECK(SocketAddress::FromIp("fe80::1%1", 1, &a));
  CHECK_EQ(reinterpret_cast<const sockaddr_in6*>(a.raw())->sin6_scope_id, 1u);
#ifndef _WIN32
  // (Interface 1 is named "lo" on Linux only.)
  CHECK(a.ip() == "fe80::1%lo");
  CHECK(SocketAddress::FromIp("fe80::1%lo", 1, &a));
  CHECK_EQ(reinterpret_cast<const sockaddr_in6*>(a.raw())->sin6_scope_id, 1u);
#endif
  CHECK(!SocketAddress::FromIp("fe80::1%nosuchif0", 1, &a));
  CHECK(!SocketAddress::FromIp("fe80::1%", 1, &a));
  CHECK(!SocketAddress::FromIp("1:2:3", 1, &a));
}

UNIT_TEST(socket_address_unix) {
  SocketAddress a;
  CHECK(SocketAddress::FromPath("/tmp/x.sock", &a));
  CHECK(a.IsUnix());
  CHECK(a.path() == "/tmp/x.sock");
  CHECK(a.ip().empty());
  CHECK_EQ(a.port(), 0);
  CHECK(std::strcmp(a.FamilyName(), "Unix") == 0);
  std::string abstract("\0abstract-name", 14);
#ifdef _WIN32
  // A pipe name: kept whole (libuv does not cut it); one with a NUL is
  // refused (libuv: EINVAL).
  CHECK(!SocketAddress::FromPath(abstract, &a));
  CHECK(SocketAddress::FromPath(std::string(200, 'x'), &a));
  CHECK(a.path() == std::string(200, 'x'));
#else
  CHECK(SocketAddress::FromPath(abstract, &a));
  CHECK(a.path() == abstract);
  CHECK(SocketAddress::FromPath(std::string(108, 'x'), &a));
  CHECK(a.path() == std::string(108, 'x'));
  CHECK(SocketAddress::FromPath(std::string(200, 'x'), &a));  // cut to sun_path's 108 bytes, like libuv
  CHECK(a.path() == std::string(108, 'x'));
#endif
  CHECK(SocketAddress::FromPath(std::string(107, 'x'), &a));
  CHECK(!SocketAddress::FromPath("", &a));
  SocketAddress copy = SocketAddress::FromRaw(a.raw(), a.length());
  CHECK(copy.path() == std::string(107, 'x'));
}

UNIT_TEST(handle_table_generations) {
  HandleTable table;
  int a = 1, b = 2, c = 3;
  HandleId ia = table.Allocate(&a);
  HandleId ib = table.Allocate(&b);
  CHECK(ia != 0 && ib != 0 && ia != ib);
  CHECK(table.Lookup(ia) == &a);
  CHECK(table.Lookup(ib) == &b);
  CHECK(table.Lookup(0) == nullptr);
  CHECK(table.Release(ia));
  CHECK(!table.Release(ia));  // released once only
  CHECK(table.Lookup(ia) == nullptr);
  HandleId ic = table.Allocate(&c);  // reuses a's slot with a new generation
  CHECK_EQ(HandleTable::SlotOf(ic), HandleTable::SlotOf(ia));
  CHECK(ic != ia);
  CHECK(table.Lookup(ia) == nullptr);
  CHECK(table.Lookup(ic) == &c);
  CHECK(ic < (1ull << 53));  // fits a JS number
  CHECK(table.Lookup(ic + (1ull << 40)) == nullptr);
  CHECK(table.Lookup(0xffffffffull) == nullptr);
  CHECK_EQ(table.live(), 2u);
  // Generations wrap without ever producing id 0 or an old id.
  std::set<HandleId> seen;
  HandleId id = ic;
  for (int i = 0; i < 5000; ++i) {
    CHECK(table.Release(id));
    id = table.Allocate(&c);
    CHECK(id != 0);
    seen.insert(id);
  }
  CHECK_EQ(seen.size(), 5000u);
}

UNIT_TEST(buffer_pool_pages) {
  BufferPool pool(5000, 2);
  CHECK_EQ(pool.buffer_size() % BufferPool::PageSize(), 0u);
  CHECK(pool.buffer_size() >= 5000);
  uint8_t* a = pool.Acquire();
  uint8_t* b = pool.Acquire();
  uint8_t* c = pool.Acquire();
  CHECK(a != nullptr && b != nullptr && c != nullptr);
  CHECK_EQ(reinterpret_cast<uintptr_t>(a) % BufferPool::PageSize(), 0u);
  std::memset(a, 1, pool.buffer_size());
  CHECK_EQ(pool.outstanding(), 3u);
  pool.Release(a);
  pool.Release(b);
  pool.Release(c);  // beyond the cache cap: freed
  CHECK_EQ(pool.cached(), 2u);
  CHECK_EQ(pool.outstanding(), 0u);
  uint8_t* d = pool.Acquire();
  CHECK(d == b || d == a);
  pool.Release(d);
}

UNIT_TEST(ring_queue_fifo) {
  RingQueue<int> q;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) q.push_back(i);
    for (int i = 0; i < 50; ++i) {
      CHECK_EQ(q.front(), i);
      q.pop_front();
    }
    for (int i = 100; i < 130; ++i) q.push_back(i);
    CHECK_EQ(q.size(), 80u);
    for (int i = 50; i < 130; ++i) {
      CHECK_EQ(q.front(), i);
      q.pop_front();
    }
    CHECK(q.empty());
  }
}

UNIT_TEST(create_backend_names) {
  int error = 0;
  std::string why;
  BackendOptions options = test::SmallOptions();
#ifdef _WIN32
  const char* other_os[] = {"uring", "epoll"};
  const char* here[] = {"iocp"};
  const char* default_name = "iocp";
#else
  const char* other_os[] = {"iocp"};
  const char* here[] = {"uring", "epoll"};
  const char* default_name = "epoll";  // the default (docs/DESIGN.md, "Which backend")
#endif
  for (const char* name : other_os) {
    options.name = name;
    CHECK(CreateBackend(options, &error, &why) == nullptr);
    CHECK_EQ(error, UV_ENOSYS);
    CHECK(!why.empty());
  }
  options.name = "bogus";
  CHECK(CreateBackend(options, &error, &why) == nullptr);
  CHECK_EQ(error, UV_EINVAL);
  for (const char* name : here) {
    options.name = name;
    auto backend = CreateBackend(options, &error, &why);
    if (backend == nullptr) test::Fail(__FILE__, __LINE__, std::string(name) + ": " + why);
    REQUIRE(backend != nullptr);
    CHECK(std::strcmp(backend->Name(), name) == 0);
    // A poll fd, or (IOCP) none: its I/O threads wake the loop.
    CHECK_EQ(backend->PollFd() >= 0, std::strcmp(name, "iocp") != 0);
  }
  // "": the default.
  options.name = "";
  auto chosen = CreateBackend(options, &error, &why);
  if (chosen == nullptr) test::Fail(__FILE__, __LINE__, "default backend: " + why);
  REQUIRE(chosen != nullptr);
  CHECK(std::strcmp(chosen->Name(), default_name) == 0);
}
