#include "writev.h"

#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "js_args.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "utf16le strings are written as the host's UTF-16 units: little-endian hosts only"
#endif

namespace iocpnet {
namespace bridge {
namespace {

enum class Encoding { kUtf8, kLatin1, kUtf16 };

// The encodings V8 writes directly. lib/engine.ts turns strings in any other
// encoding (hex, base64, base64url) into Buffers before calling us.
bool ParseEncoding(napi_env env, napi_value value, Encoding* out) {
  char name[16];
  size_t length = 0;
  if (napi_get_value_string_latin1(env, value, name, sizeof(name), &length) != napi_ok) return false;
  for (size_t i = 0; i < length; ++i) name[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  std::string lower(name, length);
  if (lower == "utf8" || lower == "utf-8") {
    *out = Encoding::kUtf8;
  } else if (lower == "latin1" || lower == "binary" || lower == "ascii") {
    *out = Encoding::kLatin1;  // Node writes 'ascii' as latin1
  } else if (lower == "ucs2" || lower == "ucs-2" || lower == "utf16le" || lower == "utf-16le") {
    *out = Encoding::kUtf16;
  } else {
    return false;
  }
  return true;
}

// Bytes the string encodes to (no terminator).
size_t EncodedSize(napi_env env, napi_value string, Encoding encoding) {
  size_t length = 0;
  switch (encoding) {
    case Encoding::kUtf8:
      napi_get_value_string_utf8(env, string, nullptr, 0, &length);
      return length;
    case Encoding::kLatin1:
      napi_get_value_string_latin1(env, string, nullptr, 0, &length);
      return length;
    case Encoding::kUtf16:
      napi_get_value_string_utf16(env, string, nullptr, 0, &length);
      return length * 2;
  }
  return 0;
}

// Encodes into `out`, which has room for `size` bytes plus a terminator
// (napi always writes one: 1 byte, or 2 for UTF-16).
void EncodeInto(napi_env env, napi_value string, Encoding encoding, uint8_t* out, size_t size) {
  size_t written = 0;
  switch (encoding) {
    case Encoding::kUtf8:
      napi_get_value_string_utf8(env, string, reinterpret_cast<char*>(out), size + 1, &written);
      break;
    case Encoding::kLatin1:
      napi_get_value_string_latin1(env, string, reinterpret_cast<char*>(out), size + 1, &written);
      break;
    case Encoding::kUtf16:
      napi_get_value_string_utf16(env, string, reinterpret_cast<char16_t*>(out), size / 2 + 1, &written);
      break;
  }
}

// The bytes viewed by a typed array (any element type) or DataView.
bool GetViewBytes(napi_env env, napi_value value, const uint8_t** data, size_t* size) {
  bool is_view = false;
  napi_is_typedarray(env, value, &is_view);
  if (is_view) {
    napi_typedarray_type type;
    size_t length = 0;
    void* bytes = nullptr;
    if (napi_get_typedarray_info(env, value, &type, &length, &bytes, nullptr, nullptr) != napi_ok) return false;
    size_t element = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: element = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
      default: element = 1; break;
    }
    *data = static_cast<const uint8_t*>(bytes);
    *size = length * element;
    return true;
  }
  napi_is_dataview(env, value, &is_view);
  if (is_view) {
    size_t length = 0;
    void* bytes = nullptr;
    if (napi_get_dataview_info(env, value, &length, &bytes, nullptr, nullptr) != napi_ok) return false;
    *data = static_cast<const uint8_t*>(bytes);
    *size = length;
    return true;
  }
  return false;
}

struct Chunk {
  napi_value value;
  bool is_string;
  Encoding encoding;
  const uint8_t* data;   // views: the JS memory
  size_t size;           // bytes (strings: encoded size)
  size_t scratch_offset; // small strings: where their bytes are in the scratch block
};

// Per-call arrays without a heap allocation for the usual few chunks (each
// call has its own: a getter on `chunks` could call writev again).
template <typename T, size_t kInline>
class CallArray {
 public:
  explicit CallArray(size_t size) : data_(inline_) {
    if (size > kInline) {
      heap_.reset(new T[size]);
      data_ = heap_.get();
    }
  }
  T& operator[](size_t index) { return data_[index]; }
  T* data() { return data_; }

 private:
  T inline_[kInline];
  std::unique_ptr<T[]> heap_;
  T* data_;
};

}  // namespace

int Writev(Engine& engine, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HandleId handle = HandleArg(info, 0);
  // One chunk (the common write(), without building arrays) or an Array.
  bool single = !info[1].IsArray();
  Napi::Value encodings_value = info[2];
  // (One napi call per check: this runs for every write, and on a sequential
  // round trip before the reply is sent.)
  napi_valuetype encodings_type = napi_undefined;
  napi_typeof(env, encodings_value, &encodings_type);
  bool has_encodings = encodings_type != napi_null && encodings_type != napi_undefined;
  if (has_encodings && !single && !encodings_value.IsArray()) {
    ThrowTypeError(env, "The \"encodings\" argument must be an Array or null");
  }
  napi_valuetype callback_type = napi_undefined;
  napi_typeof(env, info[3], &callback_type);
  if (callback_type != napi_function) ThrowTypeError(env, "The \"callback\" argument must be of type function");
  // committed: the caller completes this write now (see Backend::Write).
  bool committed = false;
  if (napi_get_value_bool(env, info[4], &committed) != napi_ok) committed = false;  // not a boolean

  // Check every chunk before anything is kept: a TypeError leaves no trace.
  uint32_t count = single ? 1 : info[1].As<Napi::Array>().Length();
  CallArray<Chunk, 8> parsed(count);
  for (uint32_t i = 0; i < count; ++i) {
    Chunk& chunk = parsed[i];
    chunk.value = single ? info[1] : info[1].As<Napi::Array>().Get(i);
    napi_valuetype type;
    napi_typeof(env, chunk.value, &type);
    chunk.is_string = type == napi_string;
    if (chunk.is_string) {
      chunk.encoding = Encoding::kUtf8;
      if (has_encodings) {
        Napi::Value name = single ? encodings_value : encodings_value.As<Napi::Array>().Get(i);
        if (name.IsString()) {
          if (!ParseEncoding(env, name, &chunk.encoding)) {
            ThrowTypeError(env, "Unknown encoding: " + name.As<Napi::String>().Utf8Value());
          }
        } else if (!name.IsUndefined() && !name.IsNull()) {
          ThrowTypeError(env, "The \"encodings\" argument must contain strings");
        }
      }
      chunk.data = nullptr;
      chunk.size = EncodedSize(env, chunk.value, chunk.encoding);
    } else if (!GetViewBytes(env, chunk.value, &chunk.data, &chunk.size)) {
      ThrowTypeError(env, "The \"chunks\" argument must contain only strings, Buffers or Uint8Arrays (index " +
                              std::to_string(i) + ")");
    }
  }

  Backend* backend = engine.backend();
  if (backend == nullptr) return UV_EBADF;

  // Slices of the chunks. Small strings are encoded into one scratch block
  // (their slices are made once it has its final size: it may move while it
  // grows); large strings each into a block of their own.
  std::vector<uint8_t> scratch;  // allocates only if there are small strings
  std::vector<std::unique_ptr<uint8_t[]>> encoded;  // large strings' bytes
  CallArray<WriteSlice, 8> slices(count);
  bool any_borrowed = false;
  for (uint32_t i = 0; i < count; ++i) {
    Chunk& chunk = parsed[i];
    WriteSlice& slice = slices[i];
    slice.size = chunk.size;
    slice.borrowed = chunk.size >= kBorrowThreshold;
    any_borrowed = any_borrowed || slice.borrowed;
    if (!chunk.is_string) {
      slice.data = chunk.data;
    } else if (slice.borrowed) {
      std::unique_ptr<uint8_t[]> bytes(new uint8_t[chunk.size + 2]);
      EncodeInto(env, chunk.value, chunk.encoding, bytes.get(), chunk.size);
      slice.data = bytes.get();
      encoded.push_back(std::move(bytes));
    } else {
      chunk.scratch_offset = scratch.size();
      scratch.resize(scratch.size() + chunk.size + 2);
      EncodeInto(env, chunk.value, chunk.encoding, scratch.data() + chunk.scratch_offset, chunk.size);
      scratch.resize(scratch.size() - 2);  // drop the terminator room
    }
  }
  for (uint32_t i = 0; i < count; ++i) {
    if (parsed[i].is_string && !slices[i].borrowed) slices[i].data = scratch.data() + parsed[i].scratch_offset;
  }

  // A write first goes straight to the kernel when the socket has nothing
  // queued, as node's do (uv_try_write). A large one: then nothing is pinned,
  // the JS Buffer is free on return (it dies young instead of being kept
  // across garbage collections), and the write completes synchronously. A
  // small committed one, if it is the socket's first this turn: a reply
  // leaves while its 'data' listener still runs, not after the rest of the
  // batch, the microtasks and the loop's other callbacks (sequential 64 B
  // round trips, p50: 16.5 -> 14.5 us); the turn's later small writes gather
  // into one send at Flush (rule 1). EngineCore::TryWrite says when not.
  uint32_t first = 0;
  if (any_borrowed || committed) {
    size_t written = 0;
    if (backend->TryWrite(handle, slices.data(), count, &written, !any_borrowed) == 0) {
      while (first < count && written >= slices[first].size) {
        written -= slices[first].size;
        ++first;
      }
      if (first == count) return kWrittenNow;
      slices[first].data += written;
      slices[first].size -= written;
    }
  }

  // A committed write (only copies: nothing to keep alive) has no slot and
  // no callback: the engine reports it only if it fails, as token 0 (the
  // socket's owner hears of it).
  if (committed && !any_borrowed) {
    int rc = backend->Write(handle, slices.data() + first, count - first, kCommittedToken, true);
    engine.UpdateLiveness();
    return rc;
  }

  // The rest is queued: what the kernel will read later stays referenced
  // (borrowed Buffers) or owned (encoded strings) until kWritten.
  WritePins& pins = engine.pins();
  uint64_t token = pins.Open(info[3].As<Napi::Function>());
  try {
    for (uint32_t i = first; i < count; ++i) {
      if (slices[i].borrowed && !parsed[i].is_string) pins.Pin(token, Napi::Value(env, parsed[i].value));
    }
    for (std::unique_ptr<uint8_t[]>& bytes : encoded) pins.Own(token, std::move(bytes));
  } catch (...) {
    pins.Cancel(token);  // out of memory: nothing was handed to the engine
    throw;
  }
  int rc = backend->Write(handle, slices.data() + first, count - first, token, false);
  if (rc != 0) pins.Cancel(token);  // a rejected write has no kWritten
  engine.UpdateLiveness();
  return rc;
}

}  // namespace bridge
}  // namespace iocpnet
