// lib/web/detector_pool.cpp — DetectorPool: detectors made on demand, up to the capacity.
#include "web/detector_pool.hpp"

#include "fermap/error.hpp"

namespace fermap::web_detail {

DetectorPool::DetectorPool(DetectorOptions options, int capacity) : options_(std::move(options)), capacity_(capacity) {
  if (capacity < 1) throw ArgumentError("detector pool: capacity must be >= 1");
  idle_.push_back(std::make_unique<FaceDetector>(options_));  // fails early when the cascade is missing
  created_ = 1;
}

DetectorPool::Lease DetectorPool::borrow() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty() || created_ < capacity_; });
  if (!idle_.empty()) {
    std::unique_ptr<FaceDetector> detector = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(detector));
  }
  ++created_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<FaceDetector>(options_));
  } catch (...) {
    const std::lock_guard relock(mutex_);
    --created_;
    returned_.notify_one();
    throw;
  }
}

void DetectorPool::give_back(std::unique_ptr<FaceDetector> detector) {
  {
    const std::lock_guard lock(mutex_);
    idle_.push_back(std::move(detector));
  }
  returned_.notify_one();
}

}  // namespace fermap::web_detail
