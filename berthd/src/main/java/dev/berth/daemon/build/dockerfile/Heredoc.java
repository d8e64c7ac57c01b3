package dev.berth.daemon.build.dockerfile;

/**
 * One here-document of a RUN, COPY or ADD line ({@code <<EOF}, {@code <<-EOF}, {@code <<"EOF"}).
 *
 * @param name the delimiter word with quotes removed; for COPY/ADD also the file's name
 * @param content the body, every line ending in a newline; for COPY/ADD with {@code <<-} leading
 *     tabs are already stripped, for RUN the body is as written (the shell strips them)
 * @param expand whether build variables are expanded in the body (delimiter not quoted)
 * @param chomp {@code <<-}: leading tabs are stripped from body lines and from the terminator
 * @param fd the file descriptor written before {@code <<} ({@code 3<<EOF}), 0 if none
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fd) {
    public Heredoc withContent(String c) { return new Heredoc(name, c, expand, chomp, fd); }
}
