// Tests of the raw io_uring layer: SQE/CQE flow and both provided-buffer modes.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/harness.h"
#include "uring/ring.h"

using namespace iocpnet::uring;

namespace {

// Receives twice through a multishot recv with buffer selection and returns
// the buffers; checks data, buffer ids and IORING_CQE_F_MORE.
void MultishotRecvThrough(bool allow_ring_mapped, bool expect_ring_mapped) {
  Ring ring;
  std::string why;
  REQUIRE(ring.Init(64, 256, &why) == 0);
  BufferRing buffers;
  REQUIRE(buffers.Init(&ring, 7, 8, 4096, 0xfeed, 4, allow_ring_mapped) == 0);
  CHECK(buffers.circulating() == 4u);
  CHECK(buffers.ring_mapped() == expect_ring_mapped);
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  io_uring_sqe* sqe = ring.GetSqe();
  REQUIRE(sqe != nullptr);
  PrepReceiveSelect(sqe, sv[0], 7, 42);
  sqe->ioprio = IORING_RECV_MULTISHOT;  // the buffers must come back for ten messages
  CHECK(ring.Submit() >= 1);
  int received = 0;
  // Ten messages through four buffers: only works if buffers come back.
  for (int i = 0; i < 10; ++i) {
    std::string message = "message " + std::to_string(i);
    REQUIRE(write(sv[1], message.data(), message.size()) == static_cast<ssize_t>(message.size()));
    REQUIRE(ring.SubmitAndWait() == 0);
    io_uring_cqe* cqe = ring.PeekCqe();
    while (cqe != nullptr && cqe->user_data == 0xfeed) {  // fallback: only failures complete
      CHECK(cqe->res == 0);
      ring.Consume();
      cqe = ring.PeekCqe();
    }
    REQUIRE(cqe != nullptr);
    CHECK(cqe->user_data == 42u);
    REQUIRE(cqe->res == static_cast<int>(message.size()));
    CHECK((cqe->flags & IORING_CQE_F_BUFFER) != 0);
    CHECK((cqe->flags & IORING_CQE_F_MORE) != 0);
    uint16_t id = static_cast<uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    CHECK(id < buffers.circulating());
    CHECK(std::memcmp(buffers.Buffer(id), message.data(), message.size()) == 0);
    ring.Consume();
    buffers.Return(id);
    buffers.Publish();
    ++received;
  }
  CHECK(received == 10);
  CHECK(buffers.Grow() == 4u);
  CHECK(buffers.circulating() == 8u);
  CHECK(buffers.Grow() == 0u);
  close(sv[0]);
  close(sv[1]);
}

}  // namespace

BACKEND_TEST(uring, ring_buffer_ring_mapped_recv) { MultishotRecvThrough(true, true); }

BACKEND_TEST(uring, ring_provide_buffers_fallback_recv) { MultishotRecvThrough(false, false); }
