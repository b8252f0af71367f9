// lib/web/detector_pool.hpp — face detectors shared by the server's threads. A FaceDetector is not
// thread-safe, so each analysis borrows one; at most `capacity` exist, which also bounds how many
// analyses (detection + inference, each using OpenMP) run at once on a small machine.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "fermap/face/detector.hpp"

namespace fermap::web_detail {

class DetectorPool {
 public:
  DetectorPool(DetectorOptions options, int capacity);

  // A detector for the lease's lifetime; waits while `capacity` are out.
  class Lease {
   public:
    Lease(DetectorPool& pool, std::unique_ptr<FaceDetector> detector) : pool_(pool), detector_(std::move(detector)) {}
    ~Lease() { pool_.give_back(std::move(detector_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    FaceDetector& operator*() { return *detector_; }

   private:
    DetectorPool& pool_;
    std::unique_ptr<FaceDetector> detector_;
  };
  Lease borrow();

 private:
  void give_back(std::unique_ptr<FaceDetector> detector);

  DetectorOptions options_;
  int capacity_;
  int created_ = 0;
  std::vector<std::unique_ptr<FaceDetector>> idle_;
  std::mutex mutex_;
  std::condition_variable returned_;
};

}  // namespace fermap::web_detail
