// writev(handle, chunks, encodings, callback, committed?): one gathered write.
// `chunks` is an Array (with `encodings` an Array or null) or a single chunk
// (with `encodings` its encoding or null): write() needs no arrays.
// `committed` (default false; only for writes the engine copies): the caller
// tells its user at once that the write is done, so a close that aborts
// still delivers it (Backend::Write); its callback is never called — a
// failure comes as a kWritten with kCommittedToken, for the socket's owner.
//
// Who owns the bytes until the kernel is done with them:
// - Buffers / typed arrays smaller than kBorrowThreshold, and strings that
//   encode to less than it, are copied by the backend before Write() returns
//   (borrowed = false): cheap, and the engine coalesces them into one send.
// - Larger Buffers are lent to the kernel as they are (borrowed = true) and
//   kept referenced (WritePins) until the write's kWritten event; larger
//   strings are encoded once into memory the write owns, lent the same way.
//   Such a write is first offered to the kernel synchronously (TryWrite);
//   only what it does not take is queued and pinned. So is a small committed
//   write that is its socket's first in the turn (see Writev).
// 16 KiB: below it a memcpy (about a microsecond) costs less than pinning
// (a persistent reference created and deleted, one more iovec) and keeps the
// JS Buffer free for reuse at once; above it the copy dominates and grows.
#pragma once

#include <cstddef>

#include <napi.h>

namespace iocpnet {
namespace bridge {

class Engine;

constexpr size_t kBorrowThreshold = 16 * 1024;
constexpr int kWrittenNow = 1;
// The token of every committed write (no WritePins slot ever has it).
constexpr uint64_t kCommittedToken = 0;

// Returns kWrittenNow (the kernel took every byte: the callback is never
// called), 0 (the callback will be called exactly once, with the status) or a
// negative errno (the callback is never called). Throws TypeError for
// arguments of the wrong type.
int Writev(Engine& engine, const Napi::CallbackInfo& info);

}  // namespace bridge
}  // namespace iocpnet
