// An application that depends on scheduler-engine alone must get one Jackson: jackson-core, jackson-databind and
// jackson-annotations of one 2.x minor, the one the engine is built with (jacksonVersion, from the invoker's
// scriptVariables). java-driver-core asks for jackson-databind 2.13, beside our jackson-core: the engine declares
// jackson-databind and jackson-annotations so that Maven's nearest wins picks ours.
def treeFile = new File(basedir, 'dependency-tree.txt')
assert treeFile.isFile() : "no ${treeFile}: the consumer's build did not run dependency:tree"
def tree = treeFile.text

def jackson = [:]
(tree =~ /com\.fasterxml\.jackson\.core:(jackson-[a-z]+):jar:([^:\s]+):/).each { match, artifact, version ->
    jackson[artifact] = version
}
def minor = { String version -> (version =~ /^(\d+\.\d+)/)[0][1] }
def expected = minor(jacksonVersion)

println "Jackson of a consumer of scheduler-engine: ${jackson} (the engine's: ${jacksonVersion})"
def diverging = jackson.findAll { artifact, version -> minor(version) != expected }
assert diverging.isEmpty() :
        "Jackson diverges for an application depending on scheduler-engine alone: ${jackson}, not all ${expected}.x"
assert jackson.keySet() == ['jackson-core', 'jackson-databind', 'jackson-annotations'] as Set :
        "expected jackson-core, jackson-databind and jackson-annotations in the consumer's tree, found ${jackson}"

// Same trap: the driver's com.typesafe:config 1.4.1 beside the one Pekko is built with.
def config = (tree =~ /com\.typesafe:config:jar:([^:\s]+):/).collect { it[1] }
assert config == [typesafeConfigVersion] :
        "com.typesafe:config of a consumer: ${config}, expected ${typesafeConfigVersion} (Pekko's)"
return true
