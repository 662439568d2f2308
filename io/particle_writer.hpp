// The particle outputs of `fplab sample` (docs/reference.md §6): particles.h5 with the stored
// particles' positions at every output time, and (from libfplab_vtk_io.so) VTK points,
// vtk/particles_NNNN.vtp with vtk/particles.pvd. Each is a ParticleSink.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/h5_util.hpp"
#include "solver/case_spec.hpp"
#include "solver/particles/particle_sink.hpp"

namespace fplab {

// Writers for spec.output.formats: "hdf5" → particles.h5, "vtk" → vtk/particles_NNNN.vtp and
// vtk/particles.pvd (the module libfplab_vtk_io.so, io/vtk_module.hpp). Other formats write no
// particles.
std::vector<std::unique_ptr<ParticleSink>> make_particle_writers(const CaseSpec& spec);

// Writes particles.h5 into ParticleRunInfo::output_dir. Layout: /time (nt), /positions
// (nt, stored, 2) float64 (x, y of the first `stored` particles) chunked one snapshot per chunk,
// /alive (nt, stored) uint8 (0: absorbed at a dirichlet wall), /n_alive (nt) uint64 (among all n
// particles); every nt-dimension extendible. Root attributes: the variable-length UTF-8 strings
// fplab_version, git_sha, created, command_line, case_yaml, scheme, dynamics and status
// ("running" until end(), then "complete", "interrupted" or "failed"), and the uint64 n, stored,
// seed. Flushed after every snapshot; an existing particles.h5 is replaced at begin(). An output
// failure (disk full) is one sentence naming the file and the last snapshot written, and the file
// is abandoned so that the snapshots flushed before stay readable.
class ParticleHdf5Writer final : public ParticleSink {
 public:
  ~ParticleHdf5Writer() override;  // closes the file quietly; finished snapshots are flushed

  void begin(const ParticleRunInfo& info) override;
  void write(const ParticleSnapshot& snap) override;
  void end(RunStatus status) override;

 private:
  void create(const ParticleRunInfo& info);
  void append(const ParticleSnapshot& snap);
  void abandon();
  std::filesystem::path path_;
  std::size_t stored_ = 0, written_ = 0;
  std::vector<double> xy_;  // (stored, 2) interleaved, sized at begin()
  h5::Handle file_, time_, positions_, alive_, n_alive_;
};

// One stored snapshot of particles.h5: x, y and alive of the first `stored` particles.
struct ParticlePositions {
  std::vector<double> x, y;
  std::vector<std::uint8_t> alive;
};

// particles.h5 read back: its metadata, and any snapshot's positions on demand.
struct ParticleFile {
  std::string path;
  std::vector<double> times;            // /time, cut to the snapshots every dataset holds
  std::vector<std::uint64_t> n_alive;   // /n_alive, one per time
  std::uint64_t n = 0, stored = 0, seed = 0;
  std::string scheme, dynamics, status;
  std::map<std::string, std::string> attributes;  // every root attribute as text

  // Snapshot k (0-based); InputError naming the file and snapshot when out of range or unreadable.
  ParticlePositions read_positions(int k) const;
};

// Opens particles.h5; InputError (one sentence naming the file, and the dataset or attribute)
// when it is missing, unreadable or not an fplab particle file.
ParticleFile open_particles(const std::string& path);

// particles.h5 in the folder of a result file, or "" when there is none.
std::string particles_beside(const std::string& result_path);

// What `fplab info` adds for a particle result: "particles   N (S stored), scheme ..., ...".
std::string describe_particles(const ParticleFile& p);

}  // namespace fplab
