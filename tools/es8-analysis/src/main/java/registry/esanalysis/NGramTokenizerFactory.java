package registry.esanalysis;

import java.util.List;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.IntSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/** The `ngram` tokenizer type: Lucene's NGramTokenizer, every character kept (the registry sets
 *  `token_chars: []`; other token_chars are refused rather than silently ignored). */
@NamedComponent("ngram")
public class NGramTokenizerFactory implements TokenizerFactory {
    @AnalysisSettings
    public interface Settings {
        @IntSetting(path = "min_gram", defaultValue = 1)
        int minGram();

        @IntSetting(path = "max_gram", defaultValue = 2)
        int maxGram();

        @ListSetting(path = "token_chars")
        List<String> tokenChars();
    }

    private final int minGram;
    private final int maxGram;

    @Inject
    public NGramTokenizerFactory(Settings settings) {
        if (!settings.tokenChars().isEmpty()) {
            throw new IllegalArgumentException("this ngram tokenizer keeps every character: token_chars must be []");
        }
        this.minGram = settings.minGram();
        this.maxGram = settings.maxGram();
    }

    @Override
    public Tokenizer create() {
        return new NGramTokenizer(minGram, maxGram);
    }
}
