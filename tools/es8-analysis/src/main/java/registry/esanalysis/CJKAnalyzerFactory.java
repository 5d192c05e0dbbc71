package registry.esanalysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/** The `cjk` analyzer: Lucene's CJKAnalyzer (overlapping CJK bigrams, its default stop words). */
@NamedComponent("cjk")
public class CJKAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new CJKAnalyzer();
    }
}
