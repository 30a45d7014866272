/** The tracking module of WPU-Net for the JVM (its issue comes later). */
package org.wpunet.tracking;
