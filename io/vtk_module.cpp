// Loading the VTK modules on first use (see vtk_module.hpp).
#include "io/vtk_module.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <mutex>

#include "solver/errors.hpp"

namespace fplab {
namespace {

std::mutex mutex;
const VtkIoModule* io_table = nullptr;
const VtkVizModule* viz_table = nullptr;

// `file` from the program's folder, its table from `entry`; InputError naming `what` otherwise.
template <class Table>
const Table* load(const char* file, const char* entry, std::string_view what) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto path = (ec ? std::filesystem::path(".") : self.parent_path()) / file;
  if (!std::filesystem::exists(path, ec))
    throw InputError(
        fmt::format("{} needs VTK, which fplab loads from {}, and that file is "
                    "missing (build fplab's targets: cmake --build BUILD_DIR)",
                    what, path.string()));
  // RTLD_LAZY: RTLD_NOW would bind every PLT entry of VTK's libraries at once (a one-snapshot
  // VTK run took 97 ms of CPU, lazily 57); the ABI check below catches a stale module.
  void* handle = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr)
    throw InputError(fmt::format("{} needs VTK, and {} could not be loaded ({})", what,
                                 path.string(), ::dlerror()));
  using Entry = const Table* (*)();
  const auto get = reinterpret_cast<Entry>(::dlsym(handle, entry));
  const Table* t = get != nullptr ? get() : nullptr;
  if (t == nullptr || t->abi != kVtkModuleAbi || t->size != sizeof(Table))
    throw InputError(
        fmt::format("{} needs VTK, and {} is not the module of this fplab build (rebuild both)",
                    what, path.string()));
  return t;  // never unloaded: its writers and pictures may outlive any one call
}

}  // namespace

const VtkIoModule& vtk_io(std::string_view what) {
  const std::lock_guard lock(mutex);
  if (io_table == nullptr)
    io_table = load<VtkIoModule>(kVtkIoModuleFile, "fplab_vtk_io_module", what);
  return *io_table;
}

const VtkVizModule& vtk_viz(std::string_view what) {
  const std::lock_guard lock(mutex);
  if (viz_table == nullptr)
    viz_table = load<VtkVizModule>(kVtkVizModuleFile, "fplab_vtk_viz_module", what);
  return *viz_table;
}

void set_vtk_modules(const VtkIoModule* io, const VtkVizModule* viz) {
  const std::lock_guard lock(mutex);
  io_table = io;
  viz_table = viz;
}

}  // namespace fplab
