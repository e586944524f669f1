package io.herald.cli;

import picocli.CommandLine.Mixin;

/**
 * A command that talks to a cluster: it takes the {@link ClientOptions} and builds its clients through
 * {@link #clients()}, resolved once per run.
 */
public abstract class ClientCommand extends HeraldCommand {

    @Mixin
    protected ClientOptions clientOptions;

    private Clients clients;

    protected Clients clients() {
        if (clients == null) {
            clients = new Clients(ClientSettings.resolve(clientOptions, environment()));
        }
        return clients;
    }

    @Override
    protected String describe(Exception failure) {
        String bootstrap = clients == null ? clientOptions.bootstrapServer().orElse("(unresolved)")
                : clients.settings().bootstrapServers();
        return Failures.describe(failure, bootstrap);
    }
}
