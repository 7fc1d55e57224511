/// How a delegate enrolled from several photos is compared with a probe.
///
/// - `best`: every photo is a template of its own; the delegate's distance is the smallest over them.
/// - `mean`: the photos' unit embeddings are averaged and re-normalised into one template (a centroid), so a
///   probe is compared with what the photos have in common rather than with whichever one happens to be closest.
///
/// With one photo per delegate both rules are the same. Each pack's manifest chooses (`template_fusion`): measured
/// on LFW 1:N with two enrollment photos (BENCHMARKS.md, "Several photos per delegate"), `mean` misses fewer mated
/// probes than `best` on the development people for every pack; `sface` and `w600k-mbf` choose it, `sface-dlib`
/// keeps `best` because its identify threshold accepts several times more strangers against centroids.
public enum TemplateFusion: String, Sendable, Codable, CaseIterable {
    case best
    case mean
}
