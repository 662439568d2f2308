// Loading libfplab_vtk.so on first use (see vtk_module.hpp).
#include "io/vtk_module.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <mutex>

#include "solver/errors.hpp"

namespace fplab {
namespace {

std::mutex mutex;
const VtkModule* loaded = nullptr;

const VtkModule* load(std::string_view what) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto path = (ec ? std::filesystem::path(".") : self.parent_path()) / kVtkModuleFile;
  if (!std::filesystem::exists(path, ec))
    throw InputError(
        fmt::format("{} needs VTK, which fplab loads from {}, and that file is "
                    "missing (build the fplab_vtk target beside fplab)",
                    what, path.string()));
  // RTLD_LAZY: RTLD_NOW would bind every PLT entry of VTK's ~50 libraries at once (80 ms where
  // lazy binding takes 40; README "Start-up"); the ABI check below catches a stale module.
  void* handle = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr)
    throw InputError(fmt::format("{} needs VTK, and {} could not be loaded ({})", what,
                                 path.string(), ::dlerror()));
  using Entry = const VtkModule* (*)();
  const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "fplab_vtk_module"));
  const VtkModule* m = entry != nullptr ? entry() : nullptr;
  if (m == nullptr || m->abi != kVtkModuleAbi || m->size != sizeof(VtkModule))
    throw InputError(
        fmt::format("{} needs VTK, and {} is not the module of this fplab build "
                    "(rebuild both)",
                    what, path.string()));
  return m;  // never unloaded: its writers and pictures may outlive any one call
}

}  // namespace

const VtkModule& vtk_module(std::string_view what) {
  const std::lock_guard lock(mutex);
  if (loaded == nullptr) loaded = load(what);
  return *loaded;
}

void set_vtk_module(const VtkModule* module) {
  const std::lock_guard lock(mutex);
  loaded = module;
}

}  // namespace fplab
