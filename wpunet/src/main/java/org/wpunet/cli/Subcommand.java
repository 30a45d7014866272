package org.wpunet.cli;

/**
 * A subcommand contributed by a module above {@code wpunet} (tracking's {@code track},
 * {@code train-tracker}, the demo), found at start-up with {@link java.util.ServiceLoader}: the class
 * carries picocli's {@code @Command} annotation, has a public no-argument constructor and is listed in
 * its module's {@code META-INF/services/org.wpunet.cli.Subcommand}. This keeps the dependency arrow
 * pointing one way (tracking -> wpunet) while {@code bin/wpunet} shows every command.
 */
public interface Subcommand {
}
