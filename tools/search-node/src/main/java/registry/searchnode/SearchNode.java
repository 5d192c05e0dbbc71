package registry.searchnode;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * A real OpenSearch 2.19 node in one JVM, built only from Maven Central jars (see README.md).
 *
 * <p>OpenSearch's distribution loads its modules (HTTP transport, analysis-common, painless, ...)
 * from zip files under {@code modules/}; those zips are not on Maven Central, but the same
 * modules are published as ordinary jars. Classpath plugins are not discovered, so this class
 * hands them to {@link Node}'s protected constructor by class. No Security Manager, jar-hell
 * check or bootstrap check runs (they live in {@code Bootstrap}, which is not used).
 *
 * <p>Usage: {@code java -cp 'target/search-node.jar:target/lib/*' registry.searchnode.SearchNode
 * [--home DIR] [-Ekey=value ...]}. Without {@code --home} a fresh temporary folder is used and
 * deleted at exit (a data folder written by another Lucene version would not open). Defaults:
 * single-node discovery on 127.0.0.1, HTTP port 9200, transport port 9300, disk-threshold
 * allocation checks off. Any {@code -E} setting overrides a default; {@code -Ediscovery.type=}
 * (empty) with {@code discovery.seed_hosts} and {@code cluster.initial_cluster_manager_nodes}
 * forms a multi-node cluster. Prints {@code search-node ready http://HOST:PORT} once started;
 * stops cleanly on SIGTERM / SIGINT.
 */
public final class SearchNode {

    /** The modules a stock OpenSearch node would load from its modules/ folder, as classpath plugins. */
    static final List<String> PLUGIN_CLASSES = List.of(
            "org.opensearch.transport.Netty4Plugin",                     // transport-netty4-client: HTTP + transport
            "org.opensearch.analysis.common.CommonAnalysisPlugin",       // analysis-common: cjk, ngram, filters
            "org.opensearch.painless.PainlessPlugin",                    // lang-painless (analysis-common extends it)
            "org.opensearch.index.mapper.MapperExtrasPlugin",            // mapper-extras-client: scaled_float, ...
            "org.opensearch.index.reindex.ReindexPlugin");               // reindex-client: _reindex, _delete_by_query

    /** Node with classpath plugins (the constructor Node keeps protected for exactly this). */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private SearchNode() {
    }

    public static void main(String[] args) throws Exception {
        Path home = null;
        boolean temporary = false;
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.name", "registry-search");
        settings.put("node.name", "search-node");
        settings.put("discovery.type", "single-node");
        settings.put("network.host", "127.0.0.1");
        settings.put("http.port", "9200");
        settings.put("transport.port", "9300");
        // Indices go read-only at 95 % disk use; a test machine may well be that full.
        settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        settings.put("action.auto_create_index", "true");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--home") && i + 1 < args.length) {
                home = Paths.get(args[++i]).toAbsolutePath();
            } else if (arg.startsWith("-E") && arg.contains("=")) {
                String pair = arg.substring(2);
                int eq = pair.indexOf('=');
                String key = pair.substring(0, eq);
                String value = pair.substring(eq + 1);
                if (value.isEmpty()) {
                    settings.remove(key);
                } else {
                    settings.put(key, value);
                }
            } else {
                System.err.println("usage: SearchNode [--home DIR] [-Ekey=value ...]; unknown argument " + arg);
                System.exit(2);
            }
        }
        if (home == null) {
            home = Files.createTempDirectory("search-node-");
            temporary = true;
        }
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Settings.Builder builder = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString());
        settings.forEach(builder::put);
        Settings prepared = builder.build();
        // Console logging at WARN (no log4j2.properties: none is shipped in the jars).
        LogConfigurator.configureWithoutConfig(prepared);

        Environment environment = InternalSettingsPreparer.prepareEnvironment(prepared, Map.of(), home.resolve("config"),
                () -> settings.get("node.name"));
        Collection<Class<? extends Plugin>> plugins = new java.util.ArrayList<>();
        for (String name : PLUGIN_CLASSES) {
            plugins.add(Class.forName(name).asSubclass(Plugin.class));
        }
        Node node = new EmbeddedNode(environment, plugins);
        CountDownLatch stopped = new CountDownLatch(1);
        final Path homeToDelete = temporary ? home : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("search-node: error while stopping: " + e);
            } finally {
                if (homeToDelete != null) {
                    deleteTree(homeToDelete);
                }
                stopped.countDown();
            }
        }, "search-node-shutdown"));
        node.start();
        System.out.println("search-node ready http://" + settings.get("network.host") + ":" + settings.get("http.port")
                + " home=" + home);
        System.out.flush();
        stopped.await();
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("search-node: could not delete " + root + ": " + e);
        }
    }
}
