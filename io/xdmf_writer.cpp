// XDMF 3 sidecar for result.h5 (docs/reference.md §6), in the form PLATFORM.md checked with ParaView 5.11's
// Xdmf3ReaderS: 3DCoRectMesh with one cell in z and Xdmf3 `path|start:stride:count:dims` slices.
#include "io/xdmf_writer.hpp"

#include <fmt/format.h>

#include "io/writers.hpp"

namespace fplab {

std::string xdmf_document(const std::string& h5_name, const Grid2D& g,
                          std::span<const double> times, std::size_t nt_total,
                          const std::vector<std::string>& fields) {
  // 17 significant digits: times and geometry read back bit-exactly (ParaView's time steps
  // then equal the ones in diagnostics.csv).
  std::string s;
  s += "<?xml version=\"1.0\" ?>\n";
  s += "<Xdmf Version=\"3.0\">\n <Domain>\n";
  s += "  <Grid Name=\"density\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t k = 0; k < times.size(); ++k) {
    s += fmt::format("   <Grid Name=\"t{}\" GridType=\"Uniform\">\n", k);
    s += fmt::format("    <Time Value=\"{:.17g}\"/>\n", times[k]);
    // Point dimensions in z y x order, cells + 1 in y and x and a single z layer: quads in
    // the x–y plane (2DCoRectMesh would land in the y–z plane), fields dimensioned 1 × ny × nx.
    s += fmt::format("    <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"1 {} {}\"/>\n",
                     g.ny + 1, g.nx + 1);
    // Precision="8": an XML DataItem defaults to float32, and ParaView would then integrate
    // over a slightly wrong cell area whenever dx or dy (0.3, 0.6, ...) is not a binary fraction.
    s += "    <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n";
    s += fmt::format(
        "     <DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"3\">0 "
        "{:.17g} {:.17g}</DataItem>\n",
        g.y0, g.x0);
    s += fmt::format(
        "     <DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"3\">1 "
        "{:.17g} {:.17g}</DataItem>\n",
        g.dy(), g.dx());
    s += "    </Geometry>\n";
    for (const auto& f : fields) {
      s += fmt::format("    <Attribute Name=\"{}\" AttributeType=\"Scalar\" Center=\"Cell\">\n", f);
      s += fmt::format(
          "     <DataItem Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" "
          "Dimensions=\"1 {ny} {nx}\">{h5}:/fields/{f}|{k} 0 0:1 1 1:1 {ny} {nx}:{nt} {ny} "
          "{nx}</DataItem>\n",
          fmt::arg("ny", g.ny), fmt::arg("nx", g.nx), fmt::arg("h5", h5_name), fmt::arg("f", f),
          fmt::arg("k", k), fmt::arg("nt", nt_total));
      s += "    </Attribute>\n";
    }
    s += "   </Grid>\n";
  }
  s += "  </Grid>\n </Domain>\n</Xdmf>\n";
  return s;
}

void xdmf_write(const std::filesystem::path& path, const std::string& h5_name, const Grid2D& g,
                std::span<const double> times, const std::vector<std::string>& fields) {
  file_write_atomic(path, xdmf_document(h5_name, g, times, times.size(), fields));
}

}  // namespace fplab
