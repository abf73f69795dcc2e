package dev.sessiongen.geode;

import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

import org.apache.geode.cache.Cache;
import org.apache.geode.cache.CacheFactory;
import org.apache.geode.cache.Region;

/**
 * One Apache Geode server for sessiongen's tests: a peer member that hosts the regions of a
 * cache.xml and serves the Developer REST API, in one JVM (an embedded locator too, so a second
 * server can join it and either can be killed).
 *
 * Everything comes from Geode's own gemfire.* system properties (cache-xml-file, start-locator,
 * locators, start-dev-rest-api, http-service-port, …), which test/services/geode.ts passes. Once
 * the cache is up this prints one line naming the regions it hosts; SIGTERM closes the cache.
 */
public final class TestServer {
  private TestServer() {}

  public static void main(String[] args) throws InterruptedException {
    Cache cache = new CacheFactory().create();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!cache.isClosed()) cache.close();
    }, "sessiongen-close-cache"));
    TreeSet<String> regions = new TreeSet<>();
    for (Region<?, ?> region : cache.rootRegions()) regions.add(region.getName());
    System.out.println("sessiongen geode server ready; regions " + String.join(",", regions));
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
