package dev.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package-info promise, checked: no public or protected signature of a supported type (in
 * {@code dev.scheduler.engine}, {@code .admin}, {@code .metrics}) mentions a type of
 * {@code dev.scheduler.engine.internal}, so that internal types can change without breaking applications.
 */
class PublicApiTest {

    private static final String INTERNAL = "dev.scheduler.engine.internal";

    @Test
    void no_public_signature_of_the_api_packages_mentions_an_internal_type() throws Exception {
        List<Class<?>> api = apiClasses();
        assertThat(api).as("API classes found").hasSizeGreaterThan(20);
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : api) {
            if (!isExposed(c.getModifiers())) {
                continue;
            }
            check(leaks, c, "extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) {
                check(leaks, c, "implements", t);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (isExposed(m.getModifiers()) && !m.isSynthetic()) {
                    check(leaks, c, m.getName() + " returns", m.getGenericReturnType());
                    for (Type t : m.getGenericParameterTypes()) {
                        check(leaks, c, m.getName() + " takes", t);
                    }
                    for (Type t : m.getGenericExceptionTypes()) {
                        check(leaks, c, m.getName() + " throws", t);
                    }
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (isExposed(k.getModifiers())) {
                    for (Type t : k.getGenericParameterTypes()) {
                        check(leaks, c, "constructor takes", t);
                    }
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (isExposed(f.getModifiers()) && !f.isSynthetic()) {
                    check(leaks, c, "field " + f.getName(), f.getGenericType());
                }
            }
        }
        assertThat(leaks).as("public signatures that expose internal types").isEmpty();
    }

    private static boolean isExposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> leaks, Class<?> owner, String where, Type type) {
        if (type != null && type.getTypeName().contains(INTERNAL)) {
            leaks.add(owner.getName() + ": " + where + " " + type.getTypeName());
        }
    }

    /** Every class compiled from the API packages (target/classes), nested ones included. */
    private static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(SchedulerEngine.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        List<Class<?>> classes = new ArrayList<>();
        for (String pkg :
                List.of("dev/scheduler/engine", "dev/scheduler/engine/admin", "dev/scheduler/engine/metrics")) {
            try (Stream<Path> files = Files.list(root.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String name = pkg.replace('/', '.') + "."
                            + f.getFileName().toString().replace(".class", "");
                    if (!name.endsWith("package-info")) {
                        classes.add(Class.forName(name, false, PublicApiTest.class.getClassLoader()));
                    }
                }
            }
        }
        return classes;
    }
}
