package io.herald.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;

/** {@code herald completion}: prints the bash/zsh completion script picocli generates from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Prints a bash/zsh completion script.",
        footer = {"", "  bash:  source <(herald completion)",
                "  zsh:   autoload -U +X compinit && compinit; autoload -U +X bashcompinit && bashcompinit;",
                "         source <(herald completion)"})
public final class CompletionCommand extends HeraldCommand {

    @Override
    protected int run() {
        out().print(AutoComplete.bash("herald", spec.root().commandLine()));
        return 0;
    }
}
