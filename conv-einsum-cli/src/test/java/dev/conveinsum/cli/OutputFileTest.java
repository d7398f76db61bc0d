package dev.conveinsum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.conveinsum.cli.CliTest.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 1 and SPEC section 5.1: {@code --out PATH} behaves like {@code cat > PATH}
 * and never loses a user's file.
 */
class OutputFileTest {
  /** The result of {@link #CASE}, by hand: [[1,2],[3,4]]^2. */
  private static final String RESULT = "{\"shape\":[2,2],\"data\":[7.0,10.0,15.0,22.0]}\n";
  private static final String CASE = "{\"expression\":\"ij,jk->ik\",\"operands\":["
      + "{\"shape\":[2,2],\"data\":[1,2,3,4]},{\"shape\":[2,2],\"data\":[1,2,3,4]}]}";

  @TempDir
  Path tmp;
  Path caseFile;

  @BeforeEach
  void writeCase() throws IOException {
    caseFile = tmp.resolve("case.json");
    Files.writeString(caseFile, CASE);
  }

  private Result eval(Path out) {
    return CliTest.run("eval", "--case", caseFile.toString(), "--out", out.toString());
  }

  private static void assertOneLine(Result r, String... fragments) {
    assertNotEquals(0, r.status());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), r.err());
    }
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.sorted().toList();
    }
  }

  @Test
  void devNullStaysADevice() {
    Path devNull = Path.of("/dev/null");
    assumeTrue(Files.exists(devNull) && !Files.isRegularFile(devNull));
    Result r = eval(devNull);
    assertEquals(0, r.status(), r.err());
    assertFalse(Files.isRegularFile(devNull), "/dev/null was replaced by a regular file");
  }

  @Test
  void aFifoIsWrittenToNotReplaced() throws Exception {
    Path fifo = tmp.resolve("pipe");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo is needed");
    // A reader, as `cat > pipe` needs one: it gets exactly the result.
    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = Files.newInputStream(fifo)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    Result r = eval(fifo);
    assertEquals(0, r.status(), r.err());
    assertEquals(RESULT, reader.get(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.isRegularFile(fifo), "the FIFO was replaced by a regular file");
  }

  @Test
  void aSymlinkIsWrittenThrough() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("elsewhere"));
    Path target = dir.resolve("result.json");
    Files.writeString(target, "old");
    Path link = Files.createSymbolicLink(tmp.resolve("link.json"), target);
    Result r = eval(link);
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isSymbolicLink(link), "the link itself was replaced");
    assertEquals(RESULT, Files.readString(target));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(target), s.toList(), "no temporary file is left beside the target");
    }
  }

  @Test
  void aDanglingSymlinkCreatesItsTarget() throws IOException {
    Path target = tmp.resolve("new.json");
    Path link = Files.createSymbolicLink(tmp.resolve("link.json"), Path.of("new.json"));
    Result r = eval(link);
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(RESULT, Files.readString(target));
  }

  @Test
  void aRegularFileIsReplacedKeepingItsPermissions() throws IOException {
    Path out = tmp.resolve("out.json");
    Files.writeString(out, "old content that is longer than the result, to see no tail remains"
        .repeat(4));
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
    Result r = eval(out);
    assertEquals(0, r.status(), r.err());
    assertEquals(RESULT, Files.readString(out));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    assertEquals(List.of(caseFile, out), files());
  }

  @Test
  void aReplacedFileKeepsItsOwnerWhereAllowed() throws IOException {
    Path out = tmp.resolve("owned.json");
    Files.writeString(out, "old");
    UserPrincipal nobody;
    try {
      nobody = out.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName("nobody");
      Files.setOwner(out, nobody);
    } catch (IOException | UnsupportedOperationException e) {
      assumeTrue(false, "needs a user 'nobody' and the right to give a file away");
      return;
    }
    Result r = eval(out);
    assertEquals(0, r.status(), r.err());
    assertEquals(RESULT, Files.readString(out));
    assertEquals(nobody, Files.getOwner(out));
  }

  @Test
  void aNewFileGetsTheDefaultPermissions() throws IOException {
    // The umask's permissions, as `cat > new` gives: those of a file created plainly.
    Path plain = Files.createFile(tmp.resolve("plain"));
    Path out = tmp.resolve("new.json");
    Result r = eval(out);
    assertEquals(0, r.status(), r.err());
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
  }

  @Test
  void theCaseFileIsNeverOverwritten() throws IOException {
    Path sub = Files.createDirectory(tmp.resolve("sub"));
    Path other = sub.resolve("..").resolve("case.json");
    Path link = Files.createSymbolicLink(tmp.resolve("alias.json"), caseFile);
    Path hard = Files.createLink(tmp.resolve("hard.json"), caseFile);
    for (Path p : List.of(caseFile, other, link, hard)) {
      Result r = eval(p);
      assertOneLine(r, "--out " + p, "--case file");
      assertEquals(CASE, Files.readString(caseFile), p.toString());
    }
  }

  @Test
  void aMissingDirectoryIsNamedAsGiven() throws IOException {
    Result r = eval(Path.of("/nonexistent/dir/o.json"));
    assertOneLine(r, "--out /nonexistent/dir/o.json", "/nonexistent/dir does not exist");
    assertFalse(r.err().contains(".tmp"), r.err());
    assertEquals(List.of(caseFile), files());
  }

  @Test
  void aDirectoryIsRefused() throws IOException {
    Result r = eval(Path.of("."));
    assertOneLine(r, "--out .", "is a directory");
    Result sub = eval(tmp);
    assertOneLine(sub, "--out " + tmp, "is a directory");
    assertEquals(List.of(caseFile), files());
  }

  @Test
  void aParentThatIsAFileIsRefused() throws IOException {
    Path out = caseFile.resolve("o.json");
    Result r = eval(out);
    assertOneLine(r, "--out " + out, "not a directory");
    assertEquals(CASE, Files.readString(caseFile));
  }

  @Test
  void aLinkLoopIsRefused() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    Result r = eval(a);
    assertOneLine(r, "--out " + a, "symbolic links");
  }

  @Test
  void badInputLeavesAnExistingFileAlone() throws IOException {
    Path out = tmp.resolve("out.json");
    Files.writeString(out, "precious");
    Files.writeString(caseFile, "{\"expression\":\"ij->q\",\"operands\":[]}");
    Result r = eval(out);
    assertOneLine(r);
    assertEquals("precious", Files.readString(out));
    assertEquals(List.of(caseFile, out), files());
  }

  @Test
  void pathDotUsesTheSameRules() throws IOException {
    Result dir = CliTest.run("path", "ij,jk->ik", "--shapes", "2x3;3x4", "--dot", ".");
    assertOneLine(dir, "--dot .", "is a directory");
    Path link = Files.createSymbolicLink(tmp.resolve("tree.dot"), tmp.resolve("real.dot"));
    Result ok = CliTest.run("path", "ij,jk->ik", "--shapes", "2x3;3x4", "--dot",
        link.toString());
    assertEquals(0, ok.status(), ok.err());
    assertTrue(Files.isSymbolicLink(link));
    assertTrue(Files.readString(tmp.resolve("real.dot")).startsWith("digraph"));
    Result devNull = CliTest.run("path", "ij,jk->ik", "--shapes", "2x3;3x4", "--dot",
        "/dev/null");
    assertEquals(0, devNull.status(), devNull.err());
    assertFalse(Files.isRegularFile(Path.of("/dev/null")));
  }
}
