/** The {@code wpunet} command-line tool (picocli). */
package org.wpunet.cli;
