#include "loop_driver.h"

namespace iocpnet {
namespace bridge {

int LoopDriver::Start(uv_loop_t* loop, int poll_fd, Client* client) {
  client_ = client;
  use_poll_ = poll_fd >= 0;
  int rc = uv_prepare_init(loop, &prepare_);
  if (rc != 0) return rc;
  prepare_open_ = true;
  prepare_.data = this;
  // The prepare handle never keeps the loop alive by itself.
  uv_unref(reinterpret_cast<uv_handle_t*>(&prepare_));
  rc = use_poll_ ? uv_poll_init(loop, &poll_, poll_fd) : uv_async_init(loop, &async_, OnAsync);
  if (rc != 0) return rc;
  completion_open_ = true;
  completion_handle()->data = this;
  // Unref'd until the backend has something ref'd and active (SetRef).
  uv_unref(completion_handle());
  if (use_poll_) {
    rc = uv_poll_start(&poll_, UV_READABLE, OnPoll);
    if (rc != 0) return rc;
  }
  return uv_prepare_start(&prepare_, OnPrepare);
}

uv_handle_t* LoopDriver::completion_handle() {
  return use_poll_ ? reinterpret_cast<uv_handle_t*>(&poll_) : reinterpret_cast<uv_handle_t*>(&async_);
}

void LoopDriver::Wake(void* arg) {
  uv_async_send(&static_cast<LoopDriver*>(arg)->async_);
}

void LoopDriver::SetRef(bool ref) {
  if (!completion_open_ || closing_started_ || ref == refed_) return;
  refed_ = ref;
  if (ref) {
    uv_ref(completion_handle());
  } else {
    uv_unref(completion_handle());
  }
}

void LoopDriver::StopWatching() {
  if (use_poll_ && completion_open_) uv_poll_stop(&poll_);
}

void LoopDriver::Close(void (*done)(void*), void* arg) {
  if (closing_started_) return;
  closing_started_ = true;
  close_done_ = done;
  close_arg_ = arg;
  closing_ = (completion_open_ ? 1 : 0) + (prepare_open_ ? 1 : 0);
  if (closing_ == 0) {
    if (done != nullptr) done(arg);
    return;
  }
  if (completion_open_) uv_close(completion_handle(), OnClosed);
  if (prepare_open_) uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), OnClosed);
}

void LoopDriver::OnPoll(uv_poll_t* handle, int /*status*/, int /*events*/) {
  // On an error status the fd is still worth draining: the backend reports
  // its own errors per operation.
  auto* self = static_cast<LoopDriver*>(handle->data);
  self->client_->OnCompletionsReady();
}

void LoopDriver::OnAsync(uv_async_t* handle) {
  auto* self = static_cast<LoopDriver*>(handle->data);
  self->client_->OnCompletionsReady();
}

void LoopDriver::OnPrepare(uv_prepare_t* handle) {
  auto* self = static_cast<LoopDriver*>(handle->data);
  self->client_->OnBeforePoll();
}

void LoopDriver::OnClosed(uv_handle_t* handle) {
  auto* self = static_cast<LoopDriver*>(handle->data);
  if (--self->closing_ == 0 && self->close_done_ != nullptr) {
    self->close_done_(self->close_arg_);  // may free the driver: touch nothing after
  }
}

}  // namespace bridge
}  // namespace iocpnet
