namespace Personalize.Runtime.Serving;

/// <summary>The campaign this process serves once it is loaded; /readyz and every API request ask it.</summary>
public sealed class CampaignHost
{
    private volatile CampaignState? _state;
    private volatile string _status = "loading the model";
    private volatile bool _draining;

    public CampaignState? State => _state;

    /// <summary>Ready for new traffic: loaded, and not shutting down (<see cref="ShutdownDrain"/>).</summary>
    public bool IsReady => _state is not null && !_draining;

    /// <summary>What /readyz says while not ready: loading, or why the last attempt failed.</summary>
    public string Status => _status;

    public void Ready(CampaignState state)
    {
        _state = state;
        _status = "ready";
    }

    public void Waiting(string status) => _status = status;

    /// <summary>Shutting down: still serving what arrives, no longer ready for more.</summary>
    public void Draining()
    {
        _draining = true;
        _status = "shutting down";
    }
}
